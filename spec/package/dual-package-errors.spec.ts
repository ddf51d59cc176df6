/**
 * The dual package hazard: an app that loads rxkube both with `import` (the ES module build) and
 * with `require` (the CommonJS build) has two copies of every error class. An error made by one copy
 * must still satisfy the other copy's `instanceof` and `isXxx()` guards (leader election, say, only
 * creates its Lease when `isNotFound` is true). Loads both builds from dist/ in a child Node process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, ensureFreshDist } from './support/dist';

// The first test of a run may build dist/.
jest.setTimeout(180_000);

/** Runs an ES module script in Node and parses the JSON it prints. */
function runModule<T>(script: string): T {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`node exited with ${child.status}:\n${child.stderr}`);
  return JSON.parse(child.stdout) as T;
}

const esm = (sub: string): string => JSON.stringify(join(REPO, 'dist', 'esm', sub, 'index.js'));
const cjs = (sub: string): string => JSON.stringify(join(REPO, 'dist', 'cjs', sub, 'index.js'));

describe('errors across the ES module and CommonJS builds', () => {
  beforeAll(() => ensureFreshDist());

  it('recognises an ApiError made by the CommonJS build with the ES module build\'s guards, and the reverse', () => {
    const result = runModule<Record<string, boolean>>(`
      import { createRequire } from 'node:module';
      import * as esmClient from ${esm('client')};
      import * as esmCore from ${esm('core')};
      const require = createRequire(import.meta.url);
      const cjsClient = require(${cjs('client')});
      const cjsCore = require(${cjs('core')});
      const about = { verb: 'get', method: 'GET', path: '/apis/coordination.k8s.io/v1/namespaces/ns/leases/l' };
      const fromCjs = new cjsClient.ApiError(about, 404, { code: 404, reason: 'NotFound' });
      const fromEsm = new esmClient.ApiError(about, 409, { code: 409, reason: 'Conflict' });
      const netFromCjs = new cjsClient.NetworkError(about, 'socket hang up', 'ECONNRESET');
      console.log(JSON.stringify({
        twoCopies: esmClient.ApiError !== cjsClient.ApiError,
        isNotFound: esmClient.isNotFound(fromCjs),
        isApiError: esmClient.isApiError(fromCjs),
        instanceofApiError: fromCjs instanceof esmClient.ApiError,
        instanceofKubeError: fromCjs instanceof esmCore.KubeError,
        isKubeError: esmCore.isKubeError(fromCjs),
        reverseIsConflict: cjsClient.isConflict(fromEsm),
        reverseInstanceof: fromEsm instanceof cjsClient.ApiError,
        networkIsNotApiError: esmClient.isApiError(netFromCjs),
        networkInstanceof: netFromCjs instanceof esmClient.NetworkError,
        networkIsNotTimeout: netFromCjs instanceof esmClient.TimeoutError,
        invalidRequestSubclass: new cjsCore.LabelSelectorError('x', 0, 'bad') instanceof esmCore.InvalidRequestError,
        plainErrorIsNotKubeError: new Error('x') instanceof esmCore.KubeError,
        brandIsNotEnumerable: Object.getOwnPropertySymbols(fromCjs).every((s) => !Object.getOwnPropertyDescriptor(fromCjs, s).enumerable),
      }));
    `);
    expect(result).toEqual({
      twoCopies: true,
      isNotFound: true,
      isApiError: true,
      instanceofApiError: true,
      instanceofKubeError: true,
      isKubeError: true,
      reverseIsConflict: true,
      reverseInstanceof: true,
      networkIsNotApiError: false,
      networkInstanceof: true,
      networkIsNotTimeout: false,
      invalidRequestSubclass: true,
      plainErrorIsNotKubeError: false,
      brandIsNotEnumerable: true,
    });
  });

  it('keeps guards of the runtime and config layers working across the builds', () => {
    const result = runModule<Record<string, boolean>>(`
      import { createRequire } from 'node:module';
      import * as esmRuntime from ${esm('runtime')};
      import * as esmConfig from ${esm('config')};
      const require = createRequire(import.meta.url);
      const cjsRuntime = require(${cjs('runtime')});
      const cjsConfig = require(${cjs('config')});
      console.log(JSON.stringify({
        watcher: esmRuntime.isWatcherError(new cjsRuntime.WatcherError('watchFailed', 'x')),
        terminal: esmRuntime.isTerminalError(new cjsRuntime.TerminalError('x')),
        config: esmConfig.isConfigError(new cjsConfig.ConfigError('missingEntry', 'x')),
        notAWatcherError: esmRuntime.isWatcherError(new cjsConfig.ConfigError('missingEntry', 'x')),
      }));
    `);
    expect(result).toEqual({ watcher: true, terminal: true, config: true, notAWatcherError: false });
  });
});
