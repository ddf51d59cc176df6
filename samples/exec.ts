// Runs a command in a pod, like `kubectl exec`: stdout and stderr to this process's, this process's stdin to the
// command (when piped, ended — half-closed — at its end), and the command's exit code as this process's.
// With --tty: a raw terminal, resized with the window; Ctrl+D ends stdin.
//
//   npm run sample -- samples/exec.ts <pod> [--namespace ns] [--container c] [--tty] -- <command...>
import { Api, Client, isApiError } from 'rxkube/client';
import { Config } from 'rxkube/config';
import { Pod, isPodStreamError } from 'rxkube/core';

function parse(argv: string[]): { pod: string; namespace?: string; container?: string; tty: boolean; command: string[] } {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const command = dash < 0 ? [] : argv.slice(dash + 1);
  const value = (flag: string): string | undefined => {
    const i = own.indexOf(flag);
    return i < 0 ? undefined : own[i + 1];
  };
  const pod = own.find((a, i) => !a.startsWith('--') && !['--namespace', '--container'].includes(own[i - 1] ?? ''));
  if (pod === undefined || command.length === 0) {
    console.error('usage: exec.ts <pod> [--namespace ns] [--container c] [--tty] -- <command...>');
    process.exit(2);
  }
  const namespace = value('--namespace');
  const container = value('--container');
  return { pod, tty: own.includes('--tty'), command, ...(namespace === undefined ? {} : { namespace }), ...(container === undefined ? {} : { container }) };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const config = await Config.infer();
  const pods = Api.namespaced(new Client(config), Pod, args.namespace ?? config.namespace ?? 'default');
  const interactive = args.tty && process.stdin.isTTY;
  const withStdin = interactive || !process.stdin.isTTY;
  const session = await pods.exec(args.pod, args.command, {
    stdin: withStdin,
    tty: interactive,
    ...(args.container === undefined ? {} : { container: args.container }),
    ...(interactive ? { terminalSize: { width: process.stdout.columns, height: process.stdout.rows } } : {}),
  });
  session.stdout.subscribe((bytes) => process.stdout.write(bytes));
  session.stderr.subscribe((bytes) => process.stderr.write(bytes));
  if (interactive) {
    process.stdin.setRawMode(true);
    process.stdout.on('resize', () => session.resize({ width: process.stdout.columns, height: process.stdout.rows }));
    // In raw mode Ctrl+D arrives as a byte (4): it ends stdin, as a terminal's EOF does.
    process.stdin.on('data', (d: Buffer) => (d.length === 1 && d[0] === 4 ? session.stdin.end() : session.stdin.write(d)));
  } else if (withStdin) {
    process.stdin.on('data', (d: Buffer) => session.stdin.write(d));
    process.stdin.on('end', () => session.stdin.end());
  }
  try {
    const { exitCode } = await session.exit;
    process.exitCode = exitCode;
  } finally {
    if (interactive) process.stdin.setRawMode(false);
    process.stdin.destroy();
  }
}

main().catch((error: unknown) => {
  // A refused upgrade is an ApiError with the server's Status; a command that cannot run, a PodStreamError.
  if (isApiError(error) || isPodStreamError(error)) console.error(`exec: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
