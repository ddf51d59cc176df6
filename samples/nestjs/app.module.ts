// The sample application: a health endpoint and one controller that stamps every ConfigMap labelled
// `rxkube.dev/greet=true` with a `greeting` entry (idempotent, so its own change does not loop).
import 'reflect-metadata';
import { Controller as HttpController, Get, HttpCode, HttpException, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Api, type ClientConfig } from 'rxkube/client';
import { ConfigMap, Patch } from 'rxkube/core';
import { Action, Controller, ErrorPolicy } from 'rxkube/runtime';
import type { ConfigMap as ConfigMapObject } from 'rxkube/core';
import { ControllerHost, RxkubeModule, type HostedController } from './rxkube.module';

/** `GET /health`: 200 with readiness when every store is ready, 503 otherwise. */
@HttpController('health')
export class HealthController {
  // Explicit token: works whether or not the compiler emits decorator metadata (esbuild does not).
  constructor(@Inject(ControllerHost) private readonly host: ControllerHost) {}

  @Get()
  @HttpCode(200)
  health(): { ready: boolean; controllers: Record<string, boolean> } {
    const readiness = this.host.readiness();
    if (!readiness.ready) throw new HttpException(readiness, 503);
    return readiness;
  }
}

/** The greeter controller over the ConfigMaps of `namespace`. */
export function greeter(namespace: string) {
  return (client: import('rxkube/client').Client): HostedController[] => {
    const configMaps = Api.namespaced(client, ConfigMap, namespace);
    const controller = Controller.for(configMaps, { name: 'greeter', watcher: { labelSelector: 'rxkube.dev/greet=true' } });
    const reconcile = async (cm: ConfigMapObject) => {
      const name = cm.metadata?.name ?? '';
      if (cm.data?.greeting === `hello, ${name}`) return Action.awaitChange();
      await configMaps.patch(name, Patch.merge({ data: { greeting: `hello, ${name}` } }));
      return Action.awaitChange();
    };
    return [
      {
        name: 'greeter',
        isReady: () => controller.store.isReady(),
        run: (shutdown$) => controller.shutdownOn(shutdown$).run(reconcile, ErrorPolicy.backoff(), {}),
      },
    ];
  };
}

/** The application module, for a cluster config and a namespace to watch. */
@Module({})
export class AppModule {
  static register(config: ClientConfig | Promise<ClientConfig>, namespace: string): DynamicModule {
    return {
      module: AppModule,
      imports: [RxkubeModule.forRoot({ config, controllers: greeter(namespace) })],
      controllers: [HealthController],
    };
  }
}
