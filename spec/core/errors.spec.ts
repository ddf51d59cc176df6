import * as admission from '../../lib/admission/index.js';
import * as client from '../../lib/client/index.js';
import * as config from '../../lib/config/index.js';
import * as core from '../../lib/core/index.js';
import { ERROR_BRAND, InvalidRequestError, isKubeError, KubeError } from '../../lib/core/errors.js';
import * as derive from '../../lib/derive/index.js';
import * as runtime from '../../lib/runtime/index.js';
import * as webhook from '../../lib/webhook/index.js';

type ErrorClass = (abstract new (...args: never[]) => KubeError) & { readonly [ERROR_BRAND]?: string };

/** Every error class the package exports, by name. */
function exportedErrorClasses(): Map<string, ErrorClass> {
  const found = new Map<string, ErrorClass>();
  for (const layer of [core, client, config, runtime, derive, admission, webhook]) {
    for (const [name, value] of Object.entries(layer)) {
      if (typeof value === 'function' && (value === KubeError || value.prototype instanceof KubeError)) found.set(name, value as ErrorClass);
    }
  }
  return found;
}

/** A second copy of lib/core/errors (as the other build of a dual package would be). */
function secondCopy(): typeof import('../../lib/core/errors.js') {
  let copy: typeof import('../../lib/core/errors.js') | undefined;
  jest.isolateModules(() => {
    copy = jest.requireActual('../../lib/core/errors.js');
  });
  return copy!;
}

describe('KubeError brands', () => {
  it('gives every exported error class a brand of its own, named after it', () => {
    const classes = exportedErrorClasses();
    expect(classes.size).toBeGreaterThan(25);
    const wrong = [...classes].filter(([name, c]) => !Object.prototype.hasOwnProperty.call(c, ERROR_BRAND) || c[ERROR_BRAND] !== `rxkube.${name}`).map(([name]) => name);
    expect(wrong).toEqual([]);
  });

  it('recognises errors of another copy of the module by brand, subclasses included', () => {
    const other = secondCopy();
    expect(other.KubeError).not.toBe(KubeError);
    const theirs = new other.InvalidRequestError('missingName', 'x');
    expect(theirs instanceof KubeError).toBe(true);
    expect(theirs instanceof InvalidRequestError).toBe(true);
    expect(isKubeError(theirs)).toBe(true);
    expect(new InvalidRequestError('missingName', 'y') instanceof other.InvalidRequestError).toBe(true);
    // a base-class error is not an instance of a subclass, in either copy
    expect(new other.KubeError('z') instanceof InvalidRequestError).toBe(false);
    expect(new KubeError('z') instanceof other.InvalidRequestError).toBe(false);
  });

  it('keeps unbranded subclasses (yours) to the ordinary prototype test, so equal names never collide', () => {
    class MyError extends KubeError {}
    class Unrelated extends KubeError {}
    Object.defineProperty(Unrelated, 'name', { value: 'MyError' });
    expect(new MyError('a') instanceof MyError).toBe(true);
    expect(new MyError('a') instanceof KubeError).toBe(true);
    expect(new Unrelated('b') instanceof MyError).toBe(false);
    expect(new KubeError('c') instanceof MyError).toBe(false);
  });

  it('recognises a branded subclass of yours across copies by its brand', () => {
    const other = secondCopy();
    const brand = 'example.com.QuotaError';
    class Mine extends KubeError {
      static override readonly [ERROR_BRAND]: string = brand;
    }
    class Theirs extends other.KubeError {
      static override readonly [ERROR_BRAND]: string = brand;
    }
    expect(new Theirs('x') instanceof Mine).toBe(true);
    expect(new Mine('x') instanceof Theirs).toBe(true);
  });

  it('does not show the brands in JSON or as enumerable keys, and plain values are not KubeErrors', () => {
    const e = new InvalidRequestError('missingName', 'x', { context: { a: 1 } });
    expect(Object.keys(e)).not.toContain(expect.stringContaining('brand'));
    expect(Object.getOwnPropertySymbols(e).every((s) => !Object.getOwnPropertyDescriptor(e, s)?.enumerable)).toBe(true);
    for (const v of [undefined, null, 1, 'x', {}, new Error('x'), { [Symbol.for('rxkube.errorBrands')]: 'rxkube.KubeError' }]) {
      expect(v instanceof KubeError).toBe(false);
    }
  });
});
