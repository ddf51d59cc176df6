/** The query string of a request: repeated parameters for array values (exec's `command`). */
import { queryString } from '../../lib/client/transport.js';

describe('queryString', () => {
  it('should repeat a parameter once per array value and encode every value', () => {
    expect(queryString({ command: ['sh', '-c', 'echo a&b'], tty: 'false' })).toBe('?command=sh&command=-c&command=echo+a%26b&tty=false');
  });

  it('should be empty without parameters', () => {
    expect(queryString({})).toBe('');
  });
});
