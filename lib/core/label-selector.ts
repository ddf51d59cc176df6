/**
 * Label selectors: the string syntax the API server accepts in `labelSelector` (`app=web`,
 * `tier in (fe,be)`, `!canary`, ...), parsed into requirements that can be printed back, built
 * from a Kubernetes `LabelSelector` object, and matched against an object's labels locally.
 *
 * The grammar and matching rules follow the API server's own parser: `=`/`==` and `in` need the
 * key to be present; `!=` and `notin` also match objects without the key; `in ()` is the set
 * holding the empty value; `>` and `<` compare integer values.
 *
 * @module
 */
import type { LabelSelector as K8sLabelSelector } from './api/meta/v1.js';
import { ERROR_BRAND, InvalidRequestError } from './errors.js';
import { labelKeyProblem, labelValueProblem } from './label-validation.js';

export type { K8sLabelSelector };

/**
 * One requirement of a label selector; all requirements of a selector must hold (AND).
 * - `Equals` (`k=v`, `k==v`): the label is present with that value.
 * - `NotEquals` (`k!=v`): the label is absent or has another value.
 * - `In` (`k in (a,b)`): the label is present with one of the values.
 * - `NotIn` (`k notin (a,b)`): the label is absent or has none of the values.
 * - `Exists` (`k`) / `DoesNotExist` (`!k`).
 * - `GreaterThan` / `LessThan` (`k>3`, `k<3`): the label is present and its integer value compares so.
 *
 * ## Example
 * ```ts
 * const r: LabelRequirement = { key: 'tier', operator: 'In', values: ['fe', 'be'] };
 * ```
 */
export type LabelRequirement =
  | { readonly key: string; readonly operator: 'Equals' | 'NotEquals' | 'GreaterThan' | 'LessThan'; readonly value: string }
  | { readonly key: string; readonly operator: 'In' | 'NotIn'; readonly values: readonly string[] }
  | { readonly key: string; readonly operator: 'Exists' | 'DoesNotExist' };

/**
 * Labels as found in `metadata.labels`.
 *
 * ## Example
 * ```ts
 * const labels: Labels = pod.metadata?.labels ?? {};
 * ```
 */
export type Labels = Readonly<Record<string, string>>;

/**
 * A label selector that cannot be parsed or built: names the selector, the character position
 * (when parsing a string) and the offending token or field.
 *
 * ## Example
 * ```ts
 * try { LabelSelector.parse('a in b'); } catch (e) {
 *   if (e instanceof LabelSelectorError) console.log(e.position, e.token); // 5 'b'
 * }
 * ```
 */
export class LabelSelectorError extends InvalidRequestError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.LabelSelectorError';
  override readonly name: string = 'LabelSelectorError';
  constructor(
    message: string,
    /** The selector string being parsed, if any. */
    readonly selector: string | undefined,
    /** Zero-based character offset of the offending token, when parsing a string. */
    readonly position: number | undefined,
    /** The offending token, key or value (`''` for the end of the string). */
    readonly token: string,
  ) {
    super('invalidSelector', message, { context: { selector, position, token } });
  }
}

type TokenKind = 'ident' | '!' | '!=' | '=' | '==' | '(' | ')' | ',' | '>' | '<' | 'end';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
}

const SPECIAL = new Set(['!', '=', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (WHITESPACE.has(ch)) {
      i++;
    } else if (SPECIAL.has(ch)) {
      const two = input.slice(i, i + 2);
      if (two === '!=' || two === '==') {
        tokens.push({ kind: two, text: two, pos: i });
        i += 2;
      } else {
        tokens.push({ kind: ch as TokenKind, text: ch, pos: i });
        i++;
      }
    } else {
      const start = i;
      while (i < input.length && !WHITESPACE.has(input.charAt(i)) && !SPECIAL.has(input.charAt(i))) i++;
      tokens.push({ kind: 'ident', text: input.slice(start, i), pos: start });
    }
  }
  tokens.push({ kind: 'end', text: '', pos: input.length });
  return tokens;
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly input: string) {
    this.tokens = tokenize(input);
  }

  private peek(): Token {
    return this.tokens[this.index] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.index++;
    return t;
  }

  private fail(t: Token, expected: string): never {
    const found = t.kind === 'end' ? 'end of string' : `'${t.text}'`;
    throw new LabelSelectorError(
      `invalid label selector ${JSON.stringify(this.input)}: found ${found} at position ${t.pos}, expected ${expected}`,
      this.input,
      t.pos,
      t.text,
    );
  }

  private checkKey(t: Token): string {
    const problem = labelKeyProblem(t.text);
    if (problem !== undefined) {
      throw new LabelSelectorError(
        `invalid label selector ${JSON.stringify(this.input)}: key '${t.text}' at position ${t.pos}: ${problem}`,
        this.input,
        t.pos,
        t.text,
      );
    }
    return t.text;
  }

  private checkValue(t: Token, value: string): string {
    const problem = labelValueProblem(value);
    if (problem !== undefined) {
      throw new LabelSelectorError(
        `invalid label selector ${JSON.stringify(this.input)}: value '${value}' at position ${t.pos}: ${problem}`,
        this.input,
        t.pos,
        value,
      );
    }
    return value;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    if (this.peek().kind === 'end') return requirements;
    for (;;) {
      requirements.push(this.requirement());
      const t = this.next();
      if (t.kind === 'end') return requirements;
      if (t.kind !== ',') this.fail(t, "',' or end of string");
    }
  }

  private requirement(): LabelRequirement {
    const first = this.next();
    if (first.kind === '!') {
      const keyToken = this.next();
      if (keyToken.kind !== 'ident') this.fail(keyToken, 'a label key after "!"');
      return { key: this.checkKey(keyToken), operator: 'DoesNotExist' };
    }
    if (first.kind !== 'ident') this.fail(first, "a label key or '!'");
    const key = this.checkKey(first);
    const op = this.peek();
    switch (op.kind) {
      case 'end':
      case ',':
        return { key, operator: 'Exists' };
      case '=':
      case '==':
      case '!=':
        this.next();
        return { key, operator: op.kind === '!=' ? 'NotEquals' : 'Equals', value: this.exactValue() };
      case '>':
      case '<': {
        this.next();
        const t = this.next();
        if (t.kind !== 'ident' || !/^[0-9]+$/.test(t.text)) this.fail(t, `an integer after '${op.text}'`);
        return { key, operator: op.kind === '>' ? 'GreaterThan' : 'LessThan', value: this.checkValue(t, t.text) };
      }
      case 'ident':
        if (op.text === 'in' || op.text === 'notin') {
          this.next();
          return { key, operator: op.text === 'in' ? 'In' : 'NotIn', values: this.valueSet() };
        }
        return this.fail(op, "'=', '==', '!=', 'in', 'notin', '>', '<', ',' or end of string");
      default:
        return this.fail(op, "'=', '==', '!=', 'in', 'notin', '>', '<', ',' or end of string");
    }
  }

  /** The value after `=`, `==` or `!=`; nothing (end or `,`) is the empty value. */
  private exactValue(): string {
    const t = this.peek();
    if (t.kind === 'end' || t.kind === ',') return '';
    if (t.kind !== 'ident') this.fail(t, 'a label value');
    this.next();
    return this.checkValue(t, t.text);
  }

  /** `( v1, v2, ... )`; an empty item (as in `()` or `(a,)`) is the empty value. */
  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') this.fail(open, "'('");
    const values: string[] = [];
    let current: Token | undefined;
    for (;;) {
      const t = this.next();
      if (t.kind === 'ident') {
        if (current !== undefined) this.fail(t, "',' or ')'");
        current = t;
      } else if (t.kind === ',' || t.kind === ')') {
        const value = current === undefined ? '' : this.checkValue(current, current.text);
        if (!values.includes(value)) values.push(value);
        current = undefined;
        if (t.kind === ')') return values;
      } else {
        this.fail(t, "a label value, ',' or ')'");
      }
    }
  }
}

function hasLabel(labels: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

function compareInteger(labels: Labels, key: string, value: string, sign: 1 | -1): boolean {
  if (!hasLabel(labels, key)) return false;
  const actual = labels[key]!;
  if (!/^-?[0-9]+$/.test(actual)) return false;
  const diff = BigInt(actual) - BigInt(value);
  return sign === 1 ? diff > 0n : diff < 0n;
}

/**
 * Whether one requirement holds for `labels`.
 *
 * ## Example
 * ```ts
 * requirementMatches({ key: 'app', operator: 'NotEquals', value: 'web' }, {}); // true
 * ```
 */
export function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  switch (r.operator) {
    case 'Equals':
      return hasLabel(labels, r.key) && labels[r.key] === r.value;
    case 'NotEquals':
      return !hasLabel(labels, r.key) || labels[r.key] !== r.value;
    case 'In':
      return hasLabel(labels, r.key) && r.values.includes(labels[r.key]!);
    case 'NotIn':
      return !hasLabel(labels, r.key) || !r.values.includes(labels[r.key]!);
    case 'Exists':
      return hasLabel(labels, r.key);
    case 'DoesNotExist':
      return !hasLabel(labels, r.key);
    case 'GreaterThan':
      return compareInteger(labels, r.key, r.value, 1);
    case 'LessThan':
      return compareInteger(labels, r.key, r.value, -1);
  }
}

/**
 * Prints one requirement in the API server's syntax.
 *
 * ## Example
 * ```ts
 * printRequirement({ key: 'tier', operator: 'NotIn', values: ['a', 'b'] }); // 'tier notin (a,b)'
 * ```
 */
export function printRequirement(r: LabelRequirement): string {
  switch (r.operator) {
    case 'Equals':
      return `${r.key}=${r.value}`;
    case 'NotEquals':
      return `${r.key}!=${r.value}`;
    case 'In':
      return `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'GreaterThan':
      return `${r.key}>${r.value}`;
    case 'LessThan':
      return `${r.key}<${r.value}`;
  }
}

function checkRequirement(r: LabelRequirement): LabelRequirement {
  const bad = (what: string, token: string, problem: string): never => {
    throw new LabelSelectorError(`invalid label selector requirement on '${r.key}': ${what} '${token}': ${problem}`, undefined, undefined, token);
  };
  const keyProblem = labelKeyProblem(r.key);
  if (keyProblem !== undefined) bad('key', r.key, keyProblem);
  switch (r.operator) {
    case 'In':
    case 'NotIn': {
      if (r.values.length === 0) bad('operator', r.operator, 'needs at least one value');
      for (const v of r.values) {
        const p = labelValueProblem(v);
        if (p !== undefined) bad('value', v, p);
      }
      return { key: r.key, operator: r.operator, values: [...new Set(r.values)] };
    }
    case 'Equals':
    case 'NotEquals':
    case 'GreaterThan':
    case 'LessThan': {
      const p = labelValueProblem(r.value);
      if (p !== undefined) bad('value', r.value, p);
      if ((r.operator === 'GreaterThan' || r.operator === 'LessThan') && !/^[0-9]+$/.test(r.value)) {
        bad('value', r.value, 'must be an integer');
      }
      return { key: r.key, operator: r.operator, value: r.value };
    }
    case 'Exists':
    case 'DoesNotExist':
      return { key: r.key, operator: r.operator };
  }
}

/**
 * An immutable label selector: a list of requirements that must all hold. The empty selector
 * matches everything.
 *
 * ## Example
 * ```ts
 * const sel = LabelSelector.parse('app=web,tier in (fe,be),!canary');
 * sel.matches({ app: 'web', tier: 'fe' }); // true
 * sel.print();                              // 'app=web,tier in (fe,be),!canary'
 * await api.list({ labelSelector: LabelSelector.everything().eq('app', 'web').print() });
 * ```
 */
export class LabelSelector {
  /** The requirements, in the order they were written. */
  readonly requirements: readonly LabelRequirement[];

  private constructor(requirements: readonly LabelRequirement[]) {
    this.requirements = Object.freeze(requirements.map((r) => Object.freeze(r)));
  }

  /** The selector with no requirements; it matches every object. */
  static everything(): LabelSelector {
    return new LabelSelector([]);
  }

  /** A selector from requirements; keys and values are checked (throws {@link LabelSelectorError}). */
  static of(...requirements: LabelRequirement[]): LabelSelector {
    return new LabelSelector(requirements.map(checkRequirement));
  }

  /**
   * Parses the API server's selector syntax. Throws {@link LabelSelectorError} naming the
   * position and the token on bad input.
   */
  static parse(selector: string): LabelSelector {
    return new LabelSelector(new Parser(selector).parse());
  }

  /**
   * Converts a Kubernetes `LabelSelector` object (as in `spec.selector`): each `matchLabels`
   * entry becomes `key=value`, each `matchExpressions` entry `In`/`NotIn`/`Exists`/`DoesNotExist`.
   * `{}` selects everything. (Where Kubernetes treats a *missing* selector as selecting nothing,
   * decide that before calling this.)
   */
  static fromLabelSelector(selector: K8sLabelSelector): LabelSelector {
    const requirements: LabelRequirement[] = [];
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
      requirements.push({ key, operator: 'Equals', value });
    }
    for (const e of selector.matchExpressions ?? []) {
      const values = e.values ?? [];
      switch (e.operator) {
        case 'In':
        case 'NotIn':
          requirements.push({ key: e.key, operator: e.operator, values });
          break;
        case 'Exists':
        case 'DoesNotExist':
          if (values.length > 0) {
            throw new LabelSelectorError(`matchExpressions operator ${e.operator} on '${e.key}' must have no values`, undefined, undefined, e.operator);
          }
          requirements.push({ key: e.key, operator: e.operator });
          break;
        default:
          throw new LabelSelectorError(
            `matchExpressions operator '${e.operator}' on '${e.key}' is not one of In, NotIn, Exists, DoesNotExist`,
            undefined,
            undefined,
            e.operator,
          );
      }
    }
    return LabelSelector.of(...requirements);
  }

  /** Whether there are no requirements (so everything matches). */
  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** Whether every requirement holds for `labels` (missing labels count as none). */
  matches(labels: Labels | undefined): boolean {
    const l = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, l));
  }

  /** The selector in the API server's syntax (`''` for the empty selector). */
  print(): string {
    return this.requirements.map(printRequirement).join(',');
  }

  /** Same as {@link LabelSelector.print}, so a selector can go straight into a template string. */
  toString(): string {
    return this.print();
  }

  /** Both selectors' requirements. */
  and(other: LabelSelector): LabelSelector {
    return new LabelSelector([...this.requirements, ...other.requirements]);
  }

  /** Adds `key=value`. */
  eq(key: string, value: string): LabelSelector {
    return this.with({ key, operator: 'Equals', value });
  }

  /** Adds `key!=value`. */
  ne(key: string, value: string): LabelSelector {
    return this.with({ key, operator: 'NotEquals', value });
  }

  /** Adds `key in (values)`. */
  in(key: string, values: readonly string[]): LabelSelector {
    return this.with({ key, operator: 'In', values });
  }

  /** Adds `key notin (values)`. */
  notIn(key: string, values: readonly string[]): LabelSelector {
    return this.with({ key, operator: 'NotIn', values });
  }

  /** Adds `key` (the label exists). */
  exists(key: string): LabelSelector {
    return this.with({ key, operator: 'Exists' });
  }

  /** Adds `!key` (the label does not exist). */
  doesNotExist(key: string): LabelSelector {
    return this.with({ key, operator: 'DoesNotExist' });
  }

  private with(r: LabelRequirement): LabelSelector {
    return new LabelSelector([...this.requirements, checkRequirement(r)]);
  }
}
