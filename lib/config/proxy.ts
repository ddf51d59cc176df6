/**
 * Which proxy, if any, reaches a given API server: the kubeconfig's `proxy-url` first, else the
 * `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` environment variables with Go's rules (the ones kubectl
 * follows): upper case before lower case, `HTTPS_PROXY` for https servers only, `NO_PROXY` entries
 * as host names (suffix match), IP addresses, CIDR ranges, optional `:port`, or `*`; loopback
 * servers (`localhost`, `127.0.0.0/8`, `::1`) never go through an environment proxy.
 *
 * @module
 */
import { BlockList, isIP } from 'node:net';

/**
 * The proxy URL for `server` taken from the environment, or `undefined` for a direct connection.
 *
 * ## Example
 * ```ts
 * proxyFromEnv('https://10.0.0.1:6443', { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '10.0.0.0/8' }); // undefined
 * proxyFromEnv('https://api.example.com', { HTTPS_PROXY: 'http://proxy:3128' }); // 'http://proxy:3128'
 * ```
 */
export function proxyFromEnv(server: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = new URL(server);
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const proxy = url.protocol === 'https:' ? pick('HTTPS_PROXY', 'https_proxy') : pick('HTTP_PROXY', 'http_proxy');
  if (proxy === undefined) return undefined;
  const host = stripBrackets(url.hostname).toLowerCase();
  if (isLoopback(host)) return undefined;
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  const noProxy = pick('NO_PROXY', 'no_proxy') ?? '';
  if (matchesNoProxy(host, port, noProxy)) return undefined;
  // Go accepts "proxy:3128" without a scheme and treats it as http.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/**
 * Whether `host` (no brackets) on `port` is excluded by a `NO_PROXY` list.
 *
 * ## Example
 * ```ts
 * matchesNoProxy('api.corp.example', '443', '.example,10.0.0.0/8'); // true
 * ```
 */
export function matchesNoProxy(host: string, port: string, noProxy: string): boolean {
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (isIP(host) !== 0 && inCidr(host, entry)) return true;
      continue;
    }
    let entryPort: string | undefined;
    const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(entry);
    if (bracketed !== null) {
      entry = bracketed[1] ?? '';
      entryPort = bracketed[2];
    } else if (isIP(entry) === 0) {
      const colon = entry.lastIndexOf(':');
      if (colon > 0 && /^\d+$/.test(entry.slice(colon + 1))) {
        entryPort = entry.slice(colon + 1);
        entry = entry.slice(0, colon);
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (isIP(entry) !== 0) {
      if (isIP(host) !== 0 && sameIp(entry, host)) return true;
      continue;
    }
    // "example.com" and ".example.com" both match the domain's subdomains; the former also the domain itself.
    const bare = entry.startsWith('.') ? entry.slice(1) : entry.startsWith('*.') ? entry.slice(2) : entry;
    if (host.endsWith(`.${bare}`)) return true;
    if (!entry.startsWith('.') && !entry.startsWith('*.') && host === bare) return true;
  }
  return false;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return sameIp(host, '::1');
  return false;
}

function sameIp(a: string, b: string): boolean {
  const list = new BlockList();
  const family = isIP(a) === 6 ? 'ipv6' : 'ipv4';
  list.addAddress(a, family);
  return list.check(b, isIP(b) === 6 ? 'ipv6' : 'ipv4');
}

function inCidr(host: string, cidr: string): boolean {
  const [network, bits] = cidr.split('/');
  const prefix = Number(bits);
  const family = isIP(network ?? '');
  if (family === 0 || !Number.isInteger(prefix)) return false;
  const list = new BlockList();
  list.addSubnet(network ?? '', prefix, family === 6 ? 'ipv6' : 'ipv4');
  return list.check(host, isIP(host) === 6 ? 'ipv6' : 'ipv4');
}
