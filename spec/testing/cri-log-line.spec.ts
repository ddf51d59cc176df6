import fc from 'fast-check';
import { criLogLine } from '../../lib/testing/cri-log-line.js';

describe('criLogLine', () => {
  it('writes the CRI log format kwok reads: RFC 3339 with nanoseconds, stream, full-line tag, text', () => {
    expect(criLogLine('hello', 'stdout', new Date('2026-12-07T10:00:00.123Z'))).toBe('2026-12-07T10:00:00.123000000Z stdout F hello\n');
    expect(criLogLine('oops', 'stderr', new Date('2026-12-07T10:00:00Z'))).toBe('2026-12-07T10:00:00.000000000Z stderr F oops\n');
  });

  it('keeps any one-line text intact after the third space', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('\n')), fc.date({ min: new Date(0), max: new Date('9999-01-01'), noInvalidDate: true }), (text, at) => {
        const line = criLogLine(text, 'stdout', at);
        const [time, stream, tag] = line.split(' ');
        expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
        expect([stream, tag]).toEqual(['stdout', 'F']);
        expect(line.slice(`${time} stdout F `.length)).toBe(`${text}\n`);
      }),
    );
  });
});
