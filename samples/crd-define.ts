// Defines a custom resource with rxkube/derive, prints its CRD as YAML, checks two objects on the client side,
// and (with --apply) installs the CRD with server-side apply and waits until it is Established.
//
//   npm run sample -- samples/crd-define.ts            # print the CRD YAML (pipe it to kubectl apply -f -)
//   npm run sample -- samples/crd-define.ts --apply    # install it into the current cluster
import { Api, Client } from 'rxkube/client';
import { Config } from 'rxkube/config';
import { CustomResourceDefinition } from 'rxkube/core';
import { awaitCondition, isCrdEstablished } from 'rxkube/runtime';
import { ConfigMapGenerator } from './configmapgenerator';

/** Installs (or updates) the CRD with server-side apply and resolves once the API server serves it. */
export async function installCrd(client: Client, log: (line: string) => void = () => undefined): Promise<void> {
  const crds = Api.cluster(client, CustomResourceDefinition);
  const crd = ConfigMapGenerator.crd();
  const name = crd.metadata.name;
  await crds.apply(name, crd as never, { fieldManager: 'rxkube-samples', force: true });
  log(`applied CustomResourceDefinition ${name}; waiting until it is Established…`);
  await awaitCondition(crds, name, isCrdEstablished(), { timeout: 30_000 });
  log(`${name} is Established`);
}

async function main(): Promise<void> {
  if (!process.argv.includes('--apply')) {
    process.stdout.write(ConfigMapGenerator.crdYaml());
    // The same schema checks objects before they are sent: errors carry JSON pointers.
    const bad = ConfigMapGenerator.validate({ apiVersion: 'samples.rxkube.dev/v1', kind: 'ConfigMapGenerator', metadata: { name: 'x' }, spec: { copies: 9 } });
    if (!bad.valid) for (const issue of bad.issues) console.error(`# invalid example: ${issue.pointer} ${issue.message}`);
    return;
  }
  const client = new Client(await Config.infer());
  await installCrd(client, console.log);
}

// Runs when started as a program (npm run sample -- samples/crd-define.ts), not when imported by the demo.
if (/crd-define\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
