/**
 * Log lines in the format kwok reads pod logs in.
 *
 * @module
 */

/**
 * One container log line in the CRI format (`<RFC3339Nano> <stream> F <text>`) that kwok's kubelet endpoint
 * serves as pod logs; append it to a test cluster's `podLogs` file and `kubectl logs -f` (or
 * `pods.logStream(name)`) shows `text`.
 *
 * ## Example
 * ```ts
 * appendFileSync(cluster.podLogs, criLogLine('hello'));
 * // '2026-12-07T10:00:00.000000000Z stdout F hello\n'
 * ```
 */
export function criLogLine(text: string, stream: 'stdout' | 'stderr' = 'stdout', at: Date = new Date()): string {
  const iso = at.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  return `${iso} ${stream} F ${text}\n`;
}
