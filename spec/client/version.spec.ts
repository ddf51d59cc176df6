import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../../lib/client/version.js';

describe('VERSION', () => {
  it('matches the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
