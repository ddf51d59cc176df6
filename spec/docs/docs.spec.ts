/**
 * The docs as users meet them:
 * - every TypeScript block in README.md and docs/ compiles as it stands, against the package's public subpaths;
 * - every link in README.md works on the npm page (absolute, or an anchor) and every link into this repository,
 *   from any doc, names a file that exists;
 * - docs/migrating.md's error catalogue names every error class the package exports, with exactly its reason codes
 *   and every guard that narrows to it.
 * Each check is also run on a broken sample, to show it can fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO, codeBlocks, docFiles, links, typeScriptBlocks, type CodeBlock } from './support/markdown';
import { docsProgram, publicEntries, type DocsProgram } from './support/program';

// One program over all of lib/ and the blocks: tens of seconds on a busy machine.
jest.setTimeout(300_000);

const BROKEN: CodeBlock[] = [
  { file: 'broken.md', lang: 'ts', line: 10, code: "import { Api } from 'rxkube/client';\n\nApi.namespaced(client, Pod, 'x');" },
  { file: 'broken.md', lang: 'ts', line: 20, code: "import { NoSuchThing } from 'rxkube/core';\nexport { NoSuchThing };" },
];

let docs: DocsProgram;
let blocks: CodeBlock[];

beforeAll(() => {
  blocks = typeScriptBlocks();
  docs = docsProgram([...blocks, ...BROKEN]);
});

describe('code blocks in README.md and docs/', () => {
  it('finds the blocks of every doc, with the Markdown line they start on', () => {
    expect(docFiles()).toEqual(expect.arrayContaining(['README.md', join('docs', 'migrating.md')]));
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThanOrEqual(4);
    const first = blocks[0]!;
    const lines = readFileSync(join(REPO, first.file), 'utf8').split('\n');
    expect(lines[first.line - 2]).toMatch(/^```(ts|typescript)/);
    expect(lines[first.line - 1]).toBe(first.code.split('\n')[0]);
  });

  it('type-checks every TypeScript block as a module of its own', () => {
    const problems = docs.blockProblems().filter((p) => !p.where.startsWith('broken.md'));
    expect(problems.map((p) => `${p.where}: ${p.message}`)).toEqual([]);
  });

  it('reports a broken block at its Markdown line (the check can fail)', () => {
    const problems = docs.blockProblems().filter((p) => p.where.startsWith('broken.md'));
    expect(problems.map((p) => p.where)).toEqual(expect.arrayContaining(['broken.md:12', 'broken.md:20']));
    expect(problems.find((p) => p.where === 'broken.md:12')?.message).toMatch(/^TS2304 Cannot find name 'client'/);
    expect(problems.find((p) => p.where === 'broken.md:20')?.message).toMatch(/^TS2305 .*NoSuchThing/);
  });

  it('parses fences the way CommonMark does', () => {
    const md = ['# x', '````ts', 'const a = 1;', '```', 'still code', '````', 'text', '~~~typescript', 'const b = 2;', '~~~', '```sh', 'ls', '```'].join('\n');
    expect(codeBlocks('x.md', md)).toEqual([
      { file: 'x.md', lang: 'ts', line: 3, code: 'const a = 1;\n```\nstill code' },
      { file: 'x.md', lang: 'typescript', line: 9, code: 'const b = 2;' },
      { file: 'x.md', lang: 'sh', line: 12, code: 'ls' },
    ]);
  });
});

describe('links', () => {
  const GITHUB = /^https:\/\/github\.com\/[^/]+\/[^/]+\/(?:blob|tree)\/main\/([^#?]+)/;
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { repository: { url: string } };
  const repoWeb = manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

  it('README.md links only to absolute URLs or anchors, so they work on the npm page', () => {
    const bad = links('README.md', readFileSync(join(REPO, 'README.md'), 'utf8')).filter((l) => !/^(https:\/\/|#)/.test(l.target));
    expect(bad).toEqual([]);
  });

  it('every link into this repository, from any doc, names a file or folder that exists', () => {
    const missing: string[] = [];
    for (const file of docFiles()) {
      for (const link of links(file, readFileSync(join(REPO, file), 'utf8'))) {
        let path: string | undefined;
        if (link.target.startsWith(`${repoWeb}/`)) {
          path = GITHUB.exec(link.target)?.[1];
          if (path === undefined) continue; // the repository's pages (issues, releases)
        } else if (!/^([a-z]+:|#)/.test(link.target)) {
          path = join(file, '..', link.target.replace(/#.*$/, ''));
        }
        if (path !== undefined && !existsSync(join(REPO, decodeURIComponent(path)))) missing.push(`${file}:${link.line}: ${link.target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('finds inline links and reference definitions outside code', () => {
    const md = ['[a](docs/x.md) and [b](<https://e.com/y> "t")', '`[c](no.md)`', '```', '[d](no.md)', '```', '[ref]: ./z.md'].join('\n');
    expect(links('m.md', md).map((l) => `${l.line}:${l.target}`)).toEqual(['1:docs/x.md', '1:https://e.com/y', '6:./z.md']);
  });
});

/** An exported error class: its name, subpath, its reason codes (undefined: free text) and its guards. */
interface ErrorClass {
  name: string;
  reasons: string[] | undefined;
  /** The reason property is the base class's: a row may list the subset this class uses. */
  inherited: boolean;
  guards: string[];
}

/** Reads the error classes, their reason unions and their guards from the compiled entry points. */
function exportedErrors(d: DocsProgram): Map<string, ErrorClass> {
  const { checker, program } = d;
  const kubeErrorFile = join(REPO, 'lib', 'core', 'errors.ts');
  const isKubeError = (type: ts.Type): boolean => {
    const symbol = type.getSymbol();
    if (symbol?.getName() === 'KubeError' && symbol.declarations?.some((x) => x.getSourceFile().fileName === kubeErrorFile)) return true;
    return (checker.getBaseTypes(type as ts.InterfaceType) ?? []).some(isKubeError);
  };
  const classes = new Map<string, ErrorClass>();
  const guards: { guard: string; narrows: string }[] = [];
  for (const entry of publicEntries().values()) {
    const sf = program.getSourceFile(entry);
    const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
    if (!moduleSymbol) throw new Error(`no module symbol for ${entry}`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (symbol.flags & ts.SymbolFlags.Class) {
        const type = checker.getDeclaredTypeOfSymbol(symbol);
        if (!isKubeError(type) || classes.has(symbol.getName())) continue;
        const code = type.getProperty('reason') ?? type.getProperty('rule');
        const codeType = code && checker.getTypeOfSymbol(code);
        const literals = codeType === undefined ? [] : (codeType.isUnion() ? codeType.types : [codeType]).filter((t) => t.isStringLiteral());
        let owner: ts.Node | undefined = code?.valueDeclaration?.parent; // a property, or a constructor parameter property
        while (owner !== undefined && !ts.isClassLike(owner)) owner = owner.parent;
        classes.set(symbol.getName(), {
          name: symbol.getName(),
          inherited: owner !== undefined && ts.isClassLike(owner) && owner.name?.text !== symbol.getName(),
          reasons: literals.length > 0 ? literals.map((t) => (t as ts.StringLiteralType).value).sort() : undefined,
          guards: [],
        });
      } else if (symbol.flags & ts.SymbolFlags.Function) {
        for (const signature of checker.getTypeOfSymbol(symbol).getCallSignatures()) {
          const predicate = checker.getTypePredicateOfSignature(signature);
          const narrows = predicate?.type?.getSymbol();
          if (predicate?.type && narrows && isKubeError(predicate.type)) guards.push({ guard: symbol.getName(), narrows: narrows.getName() });
        }
      }
    }
  }
  for (const { guard, narrows } of guards) {
    const cls = classes.get(narrows);
    if (cls && !cls.guards.includes(guard)) cls.guards.push(guard);
  }
  return classes;
}

/** The rows of the catalogue table: class → the backticked names in its reason and guard columns. */
function catalogue(markdown: string): Map<string, { reasons: string[]; guards: string[] }> {
  const section = markdown.slice(markdown.indexOf('### Error catalogue'));
  const rows = new Map<string, { reasons: string[]; guards: string[] }>();
  const ticks = (cell: string | undefined) => [...(cell ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`(\w+)`$/.exec(cells[1] ?? '')?.[1];
    if (name) rows.set(name, { reasons: ticks(cells[4]).sort(), guards: ticks(cells[5]) });
  }
  return rows;
}

describe('error catalogue in docs/migrating.md', () => {
  let actual: Map<string, ErrorClass>;
  let documented: Map<string, { reasons: string[]; guards: string[] }>;
  beforeAll(() => {
    actual = exportedErrors(docs);
    documented = catalogue(readFileSync(join(REPO, 'docs', 'migrating.md'), 'utf8'));
  });

  it('reads the package’s error classes from its exports', () => {
    expect(actual.get('ApiError')?.guards).toEqual(expect.arrayContaining(['isApiError', 'isNotFound']));
    expect(actual.get('WatcherError')?.reasons).toContain('initialListFailed');
    expect(actual.get('ApiError')?.reasons).toBeUndefined(); // the server's reason: free text
  });

  it('lists every exported error class, and no other', () => {
    expect([...documented.keys()].sort()).toEqual([...actual.keys()].sort());
  });

  it('lists exactly the reason codes of each class (a subset of the inherited ones for a subclass)', () => {
    const wrong = [...actual.values()]
      .filter((c) => c.reasons !== undefined)
      .map((c) => ({ class: c.name, documented: documented.get(c.name)?.reasons, actual: c.reasons }))
      .filter((r, i, all) => {
        const cls = actual.get(all[i]!.class)!;
        if (!cls.inherited) return JSON.stringify(r.documented) !== JSON.stringify(r.actual);
        return !r.documented?.length || r.documented.some((reason) => !r.actual?.includes(reason));
      });
    expect(wrong).toEqual([]);
  });

  it('lists every guard with the class it narrows to, and only guards that exist', () => {
    const missing = [...actual.values()].flatMap((c) => c.guards.filter((g) => !documented.get(c.name)?.guards.includes(g)).map((g) => `${c.name}: ${g}`));
    expect(missing).toEqual([]);
    const exportedNames = new Set<string>();
    for (const entry of publicEntries().values()) {
      const sf = docs.program.getSourceFile(entry)!;
      for (const s of docs.checker.getExportsOfModule(docs.checker.getSymbolAtLocation(sf)!)) exportedNames.add(s.getName());
    }
    const unknown = [...documented.values()].flatMap((row) => row.guards.filter((g) => !exportedNames.has(g)));
    expect(unknown).toEqual([]);
  });

  it('notices a class or reason missing from a catalogue (the check can fail)', () => {
    const table = readFileSync(join(REPO, 'docs', 'migrating.md'), 'utf8')
      .replace(/^\| `TimeoutError` .*\n/m, '')
      .replace('`watchStartFailed`, ', '');
    const broken = catalogue(table);
    expect(broken.has('TimeoutError')).toBe(false);
    expect(broken.get('WatcherError')?.reasons).not.toEqual(actual.get('WatcherError')?.reasons);
  });
});
