/** Type tests of pod streams: exec, attach and portForward exist on a Pod handle only; their results are typed. */
import { expectTypeOf } from 'expect-type';
import type { Observable } from 'rxjs';
import { Api, Client, type ExecSession, type ExecTextResult, type PortForward } from '../../lib/client';
import { ConfigMap, Pod } from '../../lib/core/builtins';
import type { ExecExit } from '../../lib/core';

const client = new Client({ server: 'http://127.0.0.1:8001' });
const pods = Api.namespaced(client, Pod, 'default');

expectTypeOf(pods.exec('web', ['ls'])).toEqualTypeOf<Promise<ExecSession>>();
expectTypeOf(pods.execText('web', ['ls'])).toEqualTypeOf<Promise<ExecTextResult>>();
expectTypeOf(pods.attach('web')).toEqualTypeOf<Promise<ExecSession>>();
expectTypeOf(pods.portForward('web', [80])).toEqualTypeOf<Promise<PortForward>>();
expectTypeOf<ExecSession['stdout']>().toEqualTypeOf<Observable<Uint8Array>>();
expectTypeOf<ExecSession['exit']>().toEqualTypeOf<Promise<ExecExit>>();

const configMaps = Api.namespaced(client, ConfigMap, 'default');
// @ts-expect-error exec is a pod subresource: a ConfigMap handle has none
void configMaps.exec('settings', ['ls']);
// @ts-expect-error portForward is a pod subresource
void configMaps.portForward('settings', [80]);
// @ts-expect-error a pod handle across all namespaces cannot name one pod
void Api.all(client, Pod).exec('web', ['ls']);
