/**
 * Fuzzing of the parsers that read untrusted text (issue 11, "keep it hard"): label and field
 * selectors, watch lines and kubeconfig files. Random text and structure-aware mutations of valid
 * inputs; the only acceptable outcomes are a value or rxkube's own typed error naming the input.
 */
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { ConfigError } from '../../lib/config/config-error.js';
import { parseKubeconfigFile } from '../../lib/config/kubeconfig-parse.js';
import { DecodeError, parseWatchLine } from '../../lib/core/error-boundary.js';
import { FieldSelector } from '../../lib/core/field-selector.js';
import { LabelSelector, LabelSelectorError } from '../../lib/core/label-selector.js';
import { InvalidRequestError } from '../../lib/core/errors.js';

const RUNS = { numRuns: 2000 };

/** Mutations of a valid text: delete, duplicate or replace a slice, insert a special character. */
function mutated(valid: string[], specials: string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.constantFrom('delete', 'duplicate', 'insert'), fc.constantFrom(...specials)), { maxLength: 4 }))
    .map(([text, edits]) => {
      let t = text;
      for (const [at, len, op, special] of edits) {
        const i = t.length === 0 ? 0 : at % t.length;
        if (op === 'delete') t = t.slice(0, i) + t.slice(i + len);
        else if (op === 'duplicate') t = t.slice(0, i) + t.slice(i, i + len) + t.slice(i);
        else t = t.slice(0, i) + special + t.slice(i);
      }
      return t;
    });
}

function outcome(run: () => unknown, allowed: (e: unknown) => boolean): void {
  try {
    run();
  } catch (e) {
    if (!allowed(e)) throw new Error(`unexpected ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
  }
}

describe('parser fuzzing', () => {
  it('LabelSelector.parse returns a selector or throws LabelSelectorError, whose printed form parses back', () => {
    const valid = ['app=web', 'app!=web,tier in (fe,be)', '!canary,env notin (prod)', 'a.b/c-d=x_y', 'x,y,!z', 'k in ()', 'k=='];
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), mutated(valid, ['(', ')', ',', '!', '=', ' ', 'in', 'notin', '\u0000', '\u00e9', '/'])), (text) => {
        let parsed: LabelSelector | undefined;
        outcome(
          () => (parsed = LabelSelector.parse(text)),
          (e) => e instanceof LabelSelectorError && e.message.length > 0,
        );
        if (parsed !== undefined) expect(LabelSelector.parse(parsed.toString()).toString()).toBe(parsed.toString());
      }),
      RUNS,
    );
  });

  it('FieldSelector.parse returns a selector or throws InvalidRequestError', () => {
    const valid = ['metadata.name=x', 'status.phase!=Running,spec.nodeName=n1', 'a==b', 'x\\,y=z'];
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), mutated(valid, ['=', '!', ',', '\\', ' ', '\u0000'])), (text) => {
        outcome(() => FieldSelector.parse(text), (e) => e instanceof InvalidRequestError);
      }),
      RUNS,
    );
  });

  it('parseWatchLine never throws: an event or a DecodeError with a bounded preview', () => {
    const valid = ['{"type":"ADDED","object":{"metadata":{"name":"a"}}}', '{"type":"ERROR","object":{"code":410}}', '{"type":"BOOKMARK","object":{}}'];
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), mutated(valid, ['"', '{', '}', '[', ']', ':', ',', 'null', '\\'])), (line) => {
        const r = parseWatchLine(line);
        if (r instanceof DecodeError) expect(r.message.length).toBeLessThan(300);
        else expect(typeof r.type).toBe('string');
      }),
      RUNS,
    );
  });

  it('parseKubeconfigFile returns a parsed file or throws ConfigError naming the file', () => {
    const file = '/home/fuzz/.kube/config';
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'QUJD', 'proxy-url': 'socks5://p:1080' } }],
      users: [{ name: 'u', user: { token: 't', exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'x', args: ['a'], env: [{ name: 'A', value: 'b' }] } } }],
      contexts: [{ name: 'c', context: { cluster: 'k', user: 'u', namespace: 'ns' } }],
    };
    const valid = [dump(doc), JSON.stringify(doc)];
    // Structure-aware: replace any leaf or node of the document with a value of another shape.
    const odd = fc.constantFrom<unknown>(null, 1, -1, true, '', 'x', [], {}, [1], { a: 1 }, '%%%', Number.MAX_VALUE);
    const structural = fc.tuple(fc.nat(), odd).map(([pick, value]) => {
      const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
      const paths: Array<[Record<string, unknown> | unknown[], string | number]> = [];
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) {
          node.forEach((v, i) => {
            paths.push([node, i]);
            walk(v);
          });
        } else if (typeof node === 'object' && node !== null) {
          for (const [k, v] of Object.entries(node)) {
            paths.push([node as Record<string, unknown>, k]);
            walk(v);
          }
        }
      };
      walk(copy);
      const [parent, key] = paths[pick % paths.length]!;
      (parent as Record<string | number, unknown>)[key] = value;
      return dump(copy);
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), mutated(valid, [':', '-', '\n', '  ', '{', '[', '&a', '*a', '!!binary', '\t']), structural), (text) => {
        outcome(
          () => parseKubeconfigFile(text, file),
          (e) => e instanceof ConfigError && e.message.includes(file),
        );
      }),
      RUNS,
    );
  });
});
