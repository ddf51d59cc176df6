import { Action, ErrorPolicy, TerminalError, isTerminalError } from '../../lib/runtime/action.js';
import { KubeError } from '../../lib/core/errors.js';

describe('Action', () => {
  it('builds requeue and awaitChange actions', () => {
    expect(Action.requeue(1500)).toEqual({ type: 'requeue', afterMs: 1500 });
    expect(Action.requeue(-3)).toEqual({ type: 'requeue', afterMs: 0 });
    expect(Action.awaitChange()).toEqual({ type: 'awaitChange' });
  });

  it('rejects a requeue delay that is not a finite number', () => {
    expect(() => Action.requeue(Number.NaN)).toThrow(/afterMs/);
  });
});

describe('ErrorPolicy', () => {
  const attempt = { failures: 3, backoffMs: 20 };

  it('backoff() requeues after the per-object delay', () => {
    expect(ErrorPolicy.backoff()(new Error('x'), 'ref', {}, attempt)).toEqual(Action.requeue(20));
  });

  it('does not retry terminal errors', () => {
    const err = new TerminalError('spec.size is missing on widget ns/w');
    expect(err).toBeInstanceOf(KubeError);
    expect(isTerminalError(err)).toBe(true);
    expect(ErrorPolicy.backoff()(err, 'ref', {}, attempt)).toEqual(Action.awaitChange());
    expect(ErrorPolicy.requeueAfter(1000)(err, 'ref', {}, attempt)).toEqual(Action.awaitChange());
  });

  it('requeueAfter(ms) uses a fixed delay', () => {
    expect(ErrorPolicy.requeueAfter(1000)(new Error('x'), 'ref', {}, attempt)).toEqual(Action.requeue(1000));
  });
});
