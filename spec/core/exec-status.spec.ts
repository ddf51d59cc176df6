/**
 * The error channel's Status → exit code or typed error: Success is 0, NonZeroExitCode carries its
 * code as a value, everything else is a PodStreamError naming the server's message.
 */
import fc from 'fast-check';
import { DecodeError } from '../../lib/core/error-boundary.js';
import { exitFromStatus, parseErrorChannel } from '../../lib/core/exec-status.js';
import { PodStreamError } from '../../lib/core/pod-stream-error.js';

const encode = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

describe('exec status', () => {
  it('should read Success as exit code 0', () => {
    const status = parseErrorChannel(encode({ metadata: {}, status: 'Success' }));
    expect(status).toEqual({ metadata: {}, status: 'Success' });
    expect(exitFromStatus(status as never)).toEqual({ exitCode: 0, status });
  });

  it('should read any NonZeroExitCode Status as its exit code, a value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 255 }), (code) => {
        const status = {
          status: 'Failure',
          message: `command terminated with non-zero exit code: exit status ${code}`,
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
        };
        expect(exitFromStatus(parseErrorChannel(encode(status)) as never)).toEqual({ exitCode: code, status });
      }),
    );
  });

  it('should make any other Failure a PodStreamError execFailed carrying the Status', () => {
    const status = { status: 'Failure', reason: 'InternalError', message: 'error executing command in container: exit status 3' };
    const error = exitFromStatus(status, { pod: 'web' });
    expect(error).toBeInstanceOf(PodStreamError);
    expect(error).toMatchObject({ reason: 'execFailed', status, context: { pod: 'web' } });
    expect((error as PodStreamError).message).toBe('the command failed: InternalError: error executing command in container: exit status 3');
  });

  it('should call a NonZeroExitCode without a usable ExitCode cause a protocol error', () => {
    const status = { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: 'x' }] } };
    expect(exitFromStatus(status)).toMatchObject({ reason: 'protocolError' });
  });

  it('should return a DecodeError with an excerpt for text that is not a Status', () => {
    const error = parseErrorChannel(new TextEncoder().encode('oops: not json'));
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).message).toContain('oops: not json');
    expect(parseErrorChannel(encode([1, 2]))).toBeInstanceOf(DecodeError);
  });
});
