// Boots the NestJS sample: `npm run sample -- samples/nestjs/main.ts [namespace] [port]`, then
// `curl localhost:3000/health` and `kubectl create configmap hi -n default && kubectl label configmap hi rxkube.dev/greet=true`.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Config } from 'rxkube/config';
import { AppModule } from './app.module';

async function main(): Promise<void> {
  const [namespace = 'default', port = '3000'] = process.argv.slice(2);
  const app = await NestFactory.create(AppModule.register(Config.infer(), namespace));
  app.enableShutdownHooks(); // SIGTERM/SIGINT → beforeApplicationShutdown → the controller drains
  await app.listen(Number(port), '127.0.0.1');
  console.log(`greeter running on http://127.0.0.1:${port}/health, watching ConfigMaps in ${namespace}`);
}

void main();
