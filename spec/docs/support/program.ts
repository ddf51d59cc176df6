/**
 * One TypeScript program over the package's public entry points and the docs' code blocks, as a user's project
 * would see them: each block is an ES module file of its own (`.mts`, so top-level `await` works) that imports
 * `rxkube/...` through the subpaths `package.json` exports, mapped to their sources in `lib/`. The blocks never
 * touch the disk: a compiler host serves them from memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO, type CodeBlock } from './markdown';

/** Where a block's virtual file lives (inside the repository, so `node_modules` resolves as for a real file). */
const BLOCK_DIR = join(REPO, '.doc-blocks');

/** Every subpath of `package.json` `exports` → the source file of its entry point. */
export function publicEntries(root: string = REPO): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { import?: { types?: string } }>;
  };
  const entries = new Map<string, string>();
  for (const [key, target] of Object.entries(manifest.exports)) {
    if (typeof target === 'string' || target.import?.types === undefined) continue;
    const source = target.import.types.replace(/^\.\/dist\/esm\//, 'lib/').replace(/\.d\.ts$/, '.ts');
    entries.set(key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`, join(root, source));
  }
  return entries;
}

/** A compiler diagnostic pinned to a Markdown line when it is in a block. */
export interface Problem {
  where: string;
  message: string;
}

export interface DocsProgram {
  program: ts.Program;
  checker: ts.TypeChecker;
  /** The diagnostics of the blocks, as `file.md:line: TSxxxx message`. */
  blockProblems(): Problem[];
}

function blockFile(block: CodeBlock, index: number): string {
  return join(BLOCK_DIR, `${block.file.replace(/[^\w]+/g, '_')}_L${block.line}_${index}.mts`);
}

/** Builds the program over the entry points and `blocks`. */
export function docsProgram(blocks: readonly CodeBlock[], root: string = REPO): DocsProgram {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('cannot read tsconfig.json');
  const entries = publicEntries(root);
  const paths: Record<string, string[]> = {};
  for (const [specifier, source] of entries) paths[specifier] = [source];
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, types: ['node'], paths, skipLibCheck: true };

  const virtual = new Map<string, { block: CodeBlock; text: string }>();
  blocks.forEach((block, i) => virtual.set(blockFile(block, i), { block, text: block.code }));

  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name)?.text ?? readFile.call(host, name);
  host.getSourceFile = (name, language, onError, create) => {
    const v = virtual.get(name);
    if (v) return ts.createSourceFile(name, v.text, language, true);
    return getSourceFile.call(host, name, language, onError, create);
  };

  const program = ts.createProgram({ rootNames: [...entries.values(), ...virtual.keys()], options, host });
  return {
    program,
    checker: program.getTypeChecker(),
    blockProblems() {
      const problems: Problem[] = [];
      for (const [name, { block }] of virtual) {
        const sf = program.getSourceFile(name);
        if (!sf) {
          problems.push({ where: `${block.file}:${block.line}`, message: 'the block was not compiled' });
          continue;
        }
        for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
          const { line } = d.start === undefined ? { line: 0 } : sf.getLineAndCharacterOfPosition(d.start);
          problems.push({ where: `${block.file}:${block.line + line}`, message: `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}` });
        }
      }
      return problems;
    },
  };
}
