/**
 * copyToPod / copyFromPod against a pod whose exec runs real GNU tar on this machine (as kwok does):
 * a directory with nested files, binary content, an empty file and an empty directory goes both ways
 * with identical bytes; with stdin's EOF never passed on (kwok), copyToPod still ends because the
 * archive is padded to a whole tar record; the half-close is sent and, where it is passed on, ends tar
 * by itself; a missing path is CopyError notFound; a crafted archive's escaping entries are refused by
 * name, leaving nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, Header } from 'tar';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { webSocketConnector } from '../../lib/config/web-socket.js';
import { Pod } from '../../lib/core/builtins.js';
import { encodeFrame } from '../../lib/core/channel-protocol.js';
import { copyFromPod, copyToPod, CopyError, isCopyError, padToRecord, TAR_RECORD_SIZE } from '../../lib/node/index.js';
import { startWebSocketServer, type ScriptedWebSocketServer } from '../client/support/scripted-web-socket-server.js';
import { type LocalExecServer, startLocalExecServer } from './support/local-exec-server.js';
import { fileTree } from './support/file-tree.js';

jest.setTimeout(20_000);


function makeSource(dir: string): void {
  mkdirSync(join(dir, 'nested/deeper'), { recursive: true });
  mkdirSync(join(dir, 'empty-dir'));
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  writeFileSync(join(dir, 'empty'), '');
  writeFileSync(join(dir, 'nested/binary.bin'), randomBytes(300_000));
  writeFileSync(join(dir, 'nested/deeper/zeros'), Buffer.alloc(10_240)); // a whole record of zeros as content
  symlinkSync('nested/binary.bin', join(dir, 'link-inside'));
}

describe('copyToPod / copyFromPod', () => {
  let work: string;
  let server: LocalExecServer | ScriptedWebSocketServer | undefined;
  let pods: Api<Pod, 'Namespaced'>;
  const connect = (url: string): void => {
    pods = Api.namespaced(new Client({ server: url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) } }, { retry: false }), Pod, 'ns');
  };
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'rxkube-copy-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(work, { recursive: true, force: true });
  });

  describe('against GNU tar run like kwok runs it (stdin never reaches EOF)', () => {
    let local: LocalExecServer;
    beforeEach(async () => {
      local = await startLocalExecServer({ passEof: false });
      server = local;
      connect(local.url);
    });

    it('copies a directory into the pod and back with identical bytes (nested, binary, empty file and directory, a link)', async () => {
      makeSource(join(work, 'src'));
      mkdirSync(join(work, 'pod'));
      const to = await copyToPod(pods, 'web', join(work, 'src'), join(work, 'pod', 'copied'));
      expect(fileTree(join(work, 'pod', 'copied'))).toEqual(fileTree(join(work, 'src')));
      expect(to).toEqual({ entries: 9, bytes: 6 + 300_000 + 10_240 });
      expect(local.halfClosed[0]).toBe(true);
      const sent = Buffer.concat(local.stdin[0]!);
      expect(sent.length % TAR_RECORD_SIZE).toBe(0);
      expect(local.upgrades[0]?.url).toContain(`command=tar&command=xmf&command=-&command=-C&command=${encodeURIComponent(join(work, 'pod')).replace(/%2F/g, '%2F')}`);

      const from = await copyFromPod(pods, 'web', join(work, 'pod', 'copied'), join(work, 'back'));
      expect(fileTree(join(work, 'back'))).toEqual(fileTree(join(work, 'src')));
      expect(from).toEqual(to);
    });

    it('copies a single file both ways under a new name', async () => {
      writeFileSync(join(work, 'one.bin'), randomBytes(12_345));
      await copyToPod(pods, 'web', join(work, 'one.bin'), join(work, 'two.bin'));
      expect(readFileSync(join(work, 'two.bin'))).toEqual(readFileSync(join(work, 'one.bin')));
      await copyFromPod(pods, 'web', join(work, 'two.bin'), join(work, 'three.bin'));
      expect(readFileSync(join(work, 'three.bin'))).toEqual(readFileSync(join(work, 'one.bin')));
    });

    it('merges into an existing local directory, as kubectl cp does', async () => {
      makeSource(join(work, 'src'));
      mkdirSync(join(work, 'into'));
      writeFileSync(join(work, 'into', 'kept'), 'kept');
      await copyFromPod(pods, 'web', join(work, 'src'), join(work, 'into'));
      expect(fileTree(join(work, 'into'))).toEqual({ ...fileTree(join(work, 'src')), kept: Buffer.from('kept').toString('base64') });
    });

    it('ends without EOF only thanks to the record padding: unpadded, GNU tar waits for the rest of its record', async () => {
      makeSource(join(work, 'src'));
      const unpadded = await collect(create({ cwd: work, portable: true }, ['src']) as AsyncIterable<Buffer>);
      expect(unpadded.length % TAR_RECORD_SIZE).not.toBe(0);
      mkdirSync(join(work, 'raw'));
      const session = await pods.exec('web', ['tar', 'xmf', '-', '-C', join(work, 'raw')], { stdin: true, stdout: false });
      session.stdin.write(unpadded);
      session.stdin.end();
      const outcome = await Promise.race([session.exit.then(() => 'exited'), new Promise((r) => setTimeout(() => r('still waiting'), 1500))]);
      expect(outcome).toBe('still waiting');
      session.stdin.end();
      const pad = padToRecord();
      pad.end(unpadded);
      const padded = await collect(pad);
      const second = await pods.exec('web', ['tar', 'xmf', '-', '-C', join(work, 'raw')], { stdin: true, stdout: false });
      second.stdin.write(padded);
      await expect(second.exit).resolves.toMatchObject({ exitCode: 0 });
      session.close();
    });

    it('says notFound for a path missing in the pod, and for a missing parent directory to copy into', async () => {
      const missing = await copyFromPod(pods, 'web', join(work, 'nope'), join(work, 'x')).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(CopyError);
      expect(missing).toMatchObject({ reason: 'notFound', context: { pod: 'web', path: join(work, 'nope') } });
      expect((missing as CopyError).message).toMatch(/No such file or directory/);
      expect(existsSync(join(work, 'x'))).toBe(false);
      expect(readdirSync(work)).toEqual([]); // no staging directory left
      writeFileSync(join(work, 'f'), 'f');
      const noParent = await copyToPod(pods, 'web', join(work, 'f'), join(work, 'no', 'such', 'f')).catch((e: unknown) => e);
      expect(isCopyError(noParent, 'notFound')).toBe(true);
    });

    it('says notFound for a local path that does not exist, before opening anything', async () => {
      const error = await copyToPod(pods, 'web', join(work, 'nothing-here'), '/tmp/x').catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'notFound' });
      expect(local.upgrades).toHaveLength(0);
    });
  });

  it('half-closes stdin, and GNU tar ends on the EOF where it is passed on', async () => {
    const local = await startLocalExecServer({ passEof: true });
    server = local;
    connect(local.url);
    makeSource(join(work, 'src'));
    await copyToPod(pods, 'web', join(work, 'src'), join(work, 'dest'));
    expect(local.halfClosed).toEqual([true]);
    expect(fileTree(join(work, 'dest'))).toEqual(fileTree(join(work, 'src')));
  });

  describe('a crafted archive from the pod', () => {
    /** A tar of the given headers (files get `content`), as a malicious `tar cf -` could print it. */
    function crafted(entries: { path: string; type?: string; linkpath?: string; content?: string }[]): Buffer {
      const blocks: Buffer[] = [];
      for (const e of entries) {
        const body = Buffer.from(e.content ?? '');
        const header = new Header({ path: e.path, type: (e.type ?? 'File') as 'File', linkpath: e.linkpath ?? '', size: e.type === undefined || e.type === 'File' ? body.length : 0, mode: 0o644, mtime: new Date(0) });
        const block = Buffer.alloc(512);
        header.encode(block, 0);
        blocks.push(block);
        if (body.length > 0) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
      }
      blocks.push(Buffer.alloc(1024));
      return Buffer.concat(blocks);
    }
    const serve = async (archive: Buffer): Promise<void> => {
      server = await startWebSocketServer({ protocols: ['v5.channel.k8s.io'] });
      server.onConnection((ws) => {
        ws.send(encodeFrame(1, archive));
        ws.send(encodeFrame(3, new TextEncoder().encode(JSON.stringify({ metadata: {}, status: 'Success' }))), () => ws.close(1000));
      });
      connect(server.url);
    };

    it.each([
      ['a ".." path', { path: 'data/../../escaped' }, 'data/../../escaped', /"\.\." component/],
      ['an absolute path', { path: '/tmp/escaped' }, '/tmp/escaped', /absolute/],
      ['a path outside the copied one', { path: 'other/file' }, 'other/file', /outside data\//],
      ['a symbolic link out', { path: 'data/link', type: 'SymbolicLink', linkpath: '../../../etc' }, 'data/link', /symbolic link pointing outside/],
      ['an absolute symbolic link', { path: 'data/link', type: 'SymbolicLink', linkpath: '/etc/passwd' }, 'data/link', /symbolic link to an absolute path/],
      ['a hard link out', { path: 'data/hard', type: 'Link', linkpath: '../secret' }, 'data/hard', /hard link pointing outside/],
    ])('refuses %s with CopyError unsafeEntry naming it, and leaves nothing behind', async (_name, bad, entry, why) => {
      await serve(crafted([{ path: 'data/', type: 'Directory' }, { path: 'data/ok.txt', content: 'fine' }, bad, { path: 'data/after.txt', content: 'late' }]));
      const target = join(work, 'out', 'data');
      mkdirSync(join(work, 'out'));
      const error = await copyFromPod(pods, 'web', '/srv/data', target).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CopyError);
      expect(error).toMatchObject({ reason: 'unsafeEntry', context: { entry, pod: 'web', path: '/srv/data' } });
      expect((error as Error).message).toMatch(why);
      expect((error as Error).message).toContain(JSON.stringify(entry));
      expect(readdirSync(join(work, 'out'))).toEqual([]);
      expect(existsSync(join(work, 'escaped'))).toBe(false);
    });

    it('refuses links each spelled inside the copied path that lead outside together (x -> ., up -> x/..)', async () => {
      // Without the check of earlier links, the copy resolved and left data/up pointing at the target's parent.
      await serve(
        crafted([
          { path: 'data/', type: 'Directory' },
          { path: 'data/x', type: 'SymbolicLink', linkpath: '.' },
          { path: 'data/up', type: 'SymbolicLink', linkpath: 'x/..' },
        ]),
      );
      mkdirSync(join(work, 'out'));
      const error = await copyFromPod(pods, 'web', '/srv/data', join(work, 'out', 'data')).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'unsafeEntry', context: { entry: 'data/up' } });
      expect((error as Error).message).toMatch(/symbolic link pointing outside data\/ \(x\/\.\.\)/);
      expect(readdirSync(join(work, 'out'))).toEqual([]);
    });

    it('says writeFailed, naming the entry, when an entry cannot be written here, and leaves nothing behind', async () => {
      await serve(crafted([{ path: 'data/', type: 'Directory' }, { path: 'data/f', content: 'a file' }, { path: 'data/f/under-a-file', content: 'x' }]));
      mkdirSync(join(work, 'out'));
      const error = await copyFromPod(pods, 'web', '/srv/data', join(work, 'out', 'data')).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'writeFailed', context: { entry: 'data/f/under-a-file' } });
      expect(readdirSync(join(work, 'out'))).toEqual([]);
    });

    it('makes missing parent directories of the target, as kubectl cp does', async () => {
      await serve(crafted([{ path: 'data/', type: 'Directory' }, { path: 'data/a.txt', content: 'A' }]));
      await copyFromPod(pods, 'web', '/srv/data', join(work, 'x', 'y', 'data'));
      expect(readFileSync(join(work, 'x', 'y', 'data', 'a.txt'), 'utf8')).toBe('A');
    });

    it('stops on its signal with CopyError aborted, closing the session and leaving nothing behind', async () => {
      let closed!: Promise<void>;
      server = await startWebSocketServer({ protocols: ['v5.channel.k8s.io'] });
      server.onConnection((ws) => {
        closed = new Promise((resolve) => ws.on('close', () => resolve()));
        ws.send(encodeFrame(1, crafted([{ path: 'data/', type: 'Directory' }, { path: 'data/a.txt', content: 'A' }]).subarray(0, 1024))); // and then nothing
      });
      connect(server.url);
      mkdirSync(join(work, 'out'));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const error = await copyFromPod(pods, 'web', '/srv/data', join(work, 'out', 'data'), { signal: controller.signal }).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'aborted' });
      await closed;
      expect(readdirSync(join(work, 'out'))).toEqual([]);
      writeFileSync(join(work, 'f'), 'f');
      const toPod = await copyToPod(pods, 'web', join(work, 'f'), '/tmp/f', { signal: AbortSignal.timeout(200) }).catch((e: unknown) => e);
      expect(toPod).toMatchObject({ reason: 'aborted' });
    });

    it('accepts links that stay inside', async () => {
      await serve(crafted([{ path: 'data/', type: 'Directory' }, { path: 'data/a.txt', content: 'A' }, { path: 'data/l', type: 'SymbolicLink', linkpath: './a.txt' }, { path: 'data/h', type: 'Link', linkpath: 'data/a.txt' }]));
      await copyFromPod(pods, 'web', '/srv/data', join(work, 'data'));
      expect(readFileSync(join(work, 'data', 'l'), 'utf8')).toBe('A');
      expect(readFileSync(join(work, 'data', 'h'), 'utf8')).toBe('A');
    });
  });
});

async function collect(stream: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
