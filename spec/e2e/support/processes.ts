// Finds processes by their command line (Linux /proc), so tests can prove that the control-plane scripts left
// nothing running behind them.
import { readdirSync, readFileSync } from 'node:fs';

/** One running process. */
export interface ProcessInfo {
  pid: number;
  /** Command line, arguments joined with spaces. */
  cmdline: string;
}

/**
 * Live (non-zombie) processes whose command line contains `marker`, e.g. a private run folder.
 *
 * ## Example
 * ```ts
 * expect(processesMatching(runDir)).toEqual([]);
 * ```
 */
export function processesMatching(marker: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (cmdline.includes(marker)) found.push({ pid, cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
