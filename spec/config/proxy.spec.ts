import { matchesNoProxy, proxyFromEnv } from '../../lib/config/proxy';

describe('proxyFromEnv', () => {
  it('uses HTTPS_PROXY for https servers and HTTP_PROXY for http servers', () => {
    const env = { HTTPS_PROXY: 'http://secure:1', HTTP_PROXY: 'http://plain:2' };
    expect(proxyFromEnv('https://api.example.com:6443', env)).toBe('http://secure:1');
    expect(proxyFromEnv('http://api.example.com:8080', env)).toBe('http://plain:2');
    expect(proxyFromEnv('https://api.example.com', { HTTP_PROXY: 'http://plain:2' })).toBeUndefined();
  });

  it('prefers upper case, accepts lower case, and adds http:// to a bare host:port', () => {
    expect(proxyFromEnv('https://a.example', { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' })).toBe('http://upper:1');
    expect(proxyFromEnv('https://a.example', { https_proxy: 'lower:3128' })).toBe('http://lower:3128');
  });

  it('never proxies loopback servers', () => {
    const env = { HTTPS_PROXY: 'http://p:1' };
    for (const server of ['https://localhost:6443', 'https://127.0.0.1:6443', 'https://[::1]:6443']) {
      expect(proxyFromEnv(server, env)).toBeUndefined();
    }
  });

  it('honours NO_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://p:1', no_proxy: 'corp.example, 10.0.0.0/8, [fd00::1], other.example:8443' };
    expect(proxyFromEnv('https://corp.example', env)).toBeUndefined();
    expect(proxyFromEnv('https://api.corp.example', env)).toBeUndefined();
    expect(proxyFromEnv('https://10.1.2.3:6443', env)).toBeUndefined();
    expect(proxyFromEnv('https://[fd00::1]:6443', env)).toBeUndefined();
    expect(proxyFromEnv('https://other.example:8443', env)).toBeUndefined();
    expect(proxyFromEnv('https://other.example:6443', env)).toBe('http://p:1');
    expect(proxyFromEnv('https://notcorp.example', env)).toBe('http://p:1');
    expect(proxyFromEnv('https://11.0.0.1', env)).toBe('http://p:1');
  });
});

describe('matchesNoProxy', () => {
  it('matches "*", dot-prefixed domains (subdomains only) and IPv6 ranges', () => {
    expect(matchesNoProxy('anything', '443', '*')).toBe(true);
    expect(matchesNoProxy('example.com', '443', '.example.com')).toBe(false);
    expect(matchesNoProxy('a.example.com', '443', '.example.com')).toBe(true);
    expect(matchesNoProxy('fd00::abcd', '443', 'fd00::/16')).toBe(true);
    expect(matchesNoProxy('fe80::1', '443', 'fd00::/16')).toBe(false);
    expect(matchesNoProxy('h', '443', '')).toBe(false);
  });
});
