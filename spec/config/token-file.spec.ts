import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { VirtualTimeScheduler } from 'rxjs';
import { ConfigError } from '../../lib/config/config-error';
import { TokenFileAuth } from '../../lib/config/token-file';

function advance(clock: VirtualTimeScheduler, ms: number): void {
  clock.schedule(() => undefined, ms);
  clock.flush();
}

function tokenFile(content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rxkube-token-')), 'token');
  writeFileSync(file, content);
  return file;
}

describe('TokenFileAuth', () => {
  it('reads the token (trimmed) and sends it as a bearer token', async () => {
    const auth = new TokenFileAuth(tokenFile('abc\n'));
    expect(await auth.headers()).toEqual({ Authorization: 'Bearer abc' });
  });

  it('picks up a rotated token after 60 s, not before', async () => {
    const clock = new VirtualTimeScheduler();
    const file = tokenFile('first');
    const auth = new TokenFileAuth(file, { scheduler: clock });
    expect(await auth.token()).toBe('first');
    writeFileSync(file, 'second');
    advance(clock, 59_999);
    expect(await auth.token()).toBe('first');
    advance(clock, 1);
    expect(await auth.token()).toBe('second');
  });

  it('reads the file again right after invalidate() (a 401)', async () => {
    const clock = new VirtualTimeScheduler();
    const file = tokenFile('first');
    const auth = new TokenFileAuth(file, { scheduler: clock });
    await auth.token();
    writeFileSync(file, 'second');
    auth.invalidate();
    expect(await auth.token()).toBe('second');
  });

  it('keeps the last good token when a later read fails', async () => {
    const clock = new VirtualTimeScheduler();
    const file = tokenFile('good');
    const auth = new TokenFileAuth(file, { scheduler: clock });
    await auth.token();
    rmSync(file);
    advance(clock, 60_000);
    expect(await auth.token()).toBe('good');
    writeFileSync(file, 'back');
    expect(await auth.token()).toBe('back'); // the failed read did not restart the 60 s
  });

  it('fails with a ConfigError naming the file when it cannot be read first time', async () => {
    const missing = path.join(tmpdir(), 'rxkube-no-such-token');
    const auth = new TokenFileAuth(missing, { origin: 'kubeconfig /k: users[0].user.tokenFile' });
    const e = await auth.headers().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).reason).toBe('unreadableFile');
    expect((e as ConfigError).message).toBe(`kubeconfig /k: users[0].user.tokenFile: cannot read ${missing}: ENOENT`);
    await expect(new TokenFileAuth(tokenFile('  \n')).token()).rejects.toThrow(/is empty$/);
  });

  it('never shows the token in util.inspect or JSON.stringify', async () => {
    const auth = new TokenFileAuth(tokenFile('hidden-token-value'));
    await auth.token();
    expect(inspect(auth)).not.toContain('hidden-token-value');
    expect(JSON.stringify(auth)).not.toContain('hidden-token-value');
    expect(JSON.stringify(auth)).toContain('tokenFile');
  });
});
