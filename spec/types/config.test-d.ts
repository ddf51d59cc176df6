// Type tests of rxkube/config: what the Config constructors return, and the ConfigError reasons.
import { expectTypeOf } from 'expect-type';
import type { AuthProvider, ClientConfig } from '../../lib/client/config.js';
import { Config } from '../../lib/config/config.js';
import { type ConfigErrorReason, ConfigError } from '../../lib/config/config-error.js';
import { ExecAuth } from '../../lib/config/exec.js';
import { TokenFileAuth } from '../../lib/config/token-file.js';
import { transportFor } from '../../lib/config/transport.js';
import type { Agent as HttpsAgent } from 'node:https';

// The Node constructors are asynchronous; the browser-safe one is not.
expectTypeOf(Config.infer()).toEqualTypeOf<Promise<ClientConfig>>();
expectTypeOf(Config.fromKubeconfig({ context: 'dev' })).toEqualTypeOf<Promise<ClientConfig>>();
expectTypeOf(Config.inCluster()).toEqualTypeOf<Promise<ClientConfig>>();
expectTypeOf(Config.fromUrl('http://127.0.0.1:8001')).toEqualTypeOf<ClientConfig>();
// @ts-expect-error the kubeconfig path option is `path`, not `file`
void Config.fromKubeconfig({ file: '/k' });

// Auth providers plug into ClientConfig.auth.
expectTypeOf<TokenFileAuth>().toMatchTypeOf<AuthProvider>();
expectTypeOf<ExecAuth>().toMatchTypeOf<AuthProvider>();

// The shared agents are real Node agents.
expectTypeOf(transportFor({ server: 'https://x' }).httpsAgent).toEqualTypeOf<HttpsAgent>();

// ConfigError reasons form a closed union.
expectTypeOf(new ConfigError('execFailed', 'm').reason).toEqualTypeOf<ConfigErrorReason>();
// @ts-expect-error not a reason
void new ConfigError('oops', 'm');
