/**
 * Field selectors (`fieldSelector=metadata.name=web,status.phase!=Running`): a small immutable
 * builder that escapes values the way the API server expects (`\`, `,` and `=` are escaped with a
 * backslash), a parser for the same syntax, and local matching against a map of field values.
 * Which fields a kind supports is decided by the server (`metadata.name` and
 * `metadata.namespace` always work).
 *
 * @module
 */
import { ERROR_BRAND, InvalidRequestError } from './errors.js';

/**
 * One term of a field selector.
 *
 * ## Example
 * ```ts
 * const t: FieldRequirement = { field: 'spec.nodeName', operator: 'Equals', value: 'node-1' };
 * ```
 */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: 'Equals' | 'NotEquals';
  readonly value: string;
}

/**
 * A field selector that cannot be built or parsed; names the selector and the offending term.
 *
 * ## Example
 * ```ts
 * try { FieldSelector.parse('a'); } catch (e) { if (e instanceof FieldSelectorError) console.log(e.token); } // 'a'
 * ```
 */
export class FieldSelectorError extends InvalidRequestError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.FieldSelectorError';
  override readonly name: string = 'FieldSelectorError';
  constructor(
    message: string,
    /** The selector being parsed, if any. */
    readonly selector: string | undefined,
    /** The offending term or field. */
    readonly token: string,
  ) {
    super('invalidSelector', message, { context: { selector, token } });
  }
}

/**
 * Escapes a field selector value: `\` → `\\`, `,` → `\,`, `=` → `\=`.
 *
 * ## Example
 * ```ts
 * escapeFieldValue('a=b'); // 'a\\=b'
 * ```
 */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Splits on commas not preceded by an escaping backslash. */
function splitUnescaped(input: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input.charAt(i);
    if (c === '\\') i++;
    else if (c === separator) {
      parts.push(input.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(input.slice(start));
  return parts;
}

function unescapeValue(selector: string, term: string, raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (c === '\\') {
      const n = raw.charAt(i + 1);
      if (n !== '\\' && n !== ',' && n !== '=') {
        throw new FieldSelectorError(`invalid field selector ${JSON.stringify(selector)}: bad escape '\\${n}' in '${term}'`, selector, term);
      }
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      throw new FieldSelectorError(`invalid field selector ${JSON.stringify(selector)}: unescaped '${c}' in the value of '${term}'`, selector, term);
    } else {
      out += c;
    }
  }
  return out;
}

function checkField(field: string, selector?: string): void {
  if (field === '' || /[\s,=!\\]/.test(field)) {
    throw new FieldSelectorError(`invalid field selector field ${JSON.stringify(field)}: must be non-empty without spaces, ',', '=', '!' or '\\'`, selector, field);
  }
}

/**
 * An immutable field selector: terms that must all hold.
 *
 * ## Example
 * ```ts
 * const fs = FieldSelector.eq('spec.nodeName', 'node-1').ne('status.phase', 'Succeeded');
 * fs.print(); // 'spec.nodeName=node-1,status.phase!=Succeeded'
 * await api.list({ fieldSelector: fs.print() });
 * ```
 */
export class FieldSelector {
  /** The terms, in the order they were added. */
  readonly requirements: readonly FieldRequirement[];

  private constructor(requirements: readonly FieldRequirement[]) {
    this.requirements = Object.freeze([...requirements]);
  }

  /** The selector with no terms. */
  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  /** A selector with the single term `field=value`. */
  static eq(field: string, value: string): FieldSelector {
    return FieldSelector.everything().eq(field, value);
  }

  /** A selector with the single term `field!=value`. */
  static ne(field: string, value: string): FieldSelector {
    return FieldSelector.everything().ne(field, value);
  }

  /** Parses `a=b,c!=d` (also `==`); values are unescaped. Throws {@link FieldSelectorError}. */
  static parse(selector: string): FieldSelector {
    const requirements: FieldRequirement[] = [];
    for (const term of splitUnescaped(selector, ',')) {
      if (term === '') continue;
      const match = /^([^=!\\]*)(!=|==|=)(.*)$/s.exec(term);
      if (match === null) {
        throw new FieldSelectorError(`invalid field selector ${JSON.stringify(selector)}: cannot understand '${term}'`, selector, term);
      }
      const [, field = '', op, raw = ''] = match;
      checkField(field, selector);
      requirements.push({ field, operator: op === '!=' ? 'NotEquals' : 'Equals', value: unescapeValue(selector, term, raw) });
    }
    return new FieldSelector(requirements);
  }

  /** Adds `field=value`. */
  eq(field: string, value: string): FieldSelector {
    checkField(field);
    return new FieldSelector([...this.requirements, { field, operator: 'Equals', value }]);
  }

  /** Adds `field!=value`. */
  ne(field: string, value: string): FieldSelector {
    checkField(field);
    return new FieldSelector([...this.requirements, { field, operator: 'NotEquals', value }]);
  }

  /** Both selectors' terms. */
  and(other: FieldSelector): FieldSelector {
    return new FieldSelector([...this.requirements, ...other.requirements]);
  }

  /** Whether there are no terms. */
  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /**
   * Whether the terms hold for the given field values (a missing field reads as `''`, as the
   * server's field sets do for unset fields).
   */
  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.requirements.every((r) => {
      const actual = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
      return r.operator === 'Equals' ? actual === r.value : actual !== r.value;
    });
  }

  /** The selector in the API server's syntax, values escaped. */
  print(): string {
    return this.requirements.map((r) => `${r.field}${r.operator === 'Equals' ? '=' : '!='}${escapeFieldValue(r.value)}`).join(',');
  }

  /** Same as {@link FieldSelector.print}. */
  toString(): string {
    return this.print();
  }
}
