/**
 * Reads the project's Markdown as the docs tests need it: which files are docs, their fenced code blocks (with the
 * line each starts on) and their links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository root. */
export const REPO = join(__dirname, '..', '..', '..');

/** Folders under docs/ that hold generated output, not docs (the TypeDoc site). */
const GENERATED = new Set([join('docs', 'api')]);

/** README.md and every Markdown file under docs/, as paths relative to the repository. */
export function docFiles(root: string = REPO): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir)).sort()) {
      const path = join(dir, entry);
      if (GENERATED.has(path)) continue;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (entry.endsWith('.md')) found.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  return ['README.md', ...found];
}

/** A fenced code block: its language tag, its text, and the 1-based line of its first code line. */
export interface CodeBlock {
  file: string;
  lang: string;
  line: number;
  code: string;
}

/** The fenced code blocks of `markdown` (``` or ~~~ fences; an unclosed fence runs to the end, as CommonMark says). */
export function codeBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[j]!)) body.push(lines[j++]!);
    blocks.push({ file, lang: open[2]!.toLowerCase(), line: i + 2, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The TypeScript blocks (`ts`, `typescript`, `tsx`, `mts`, `cts`) of every doc file. */
export function typeScriptBlocks(root: string = REPO): CodeBlock[] {
  return docFiles(root).flatMap((file) =>
    codeBlocks(file, readFileSync(join(root, file), 'utf8')).filter((b) => ['ts', 'typescript', 'tsx', 'mts', 'cts'].includes(b.lang)),
  );
}

/** A Markdown link or image target outside code, with its line. */
export interface Link {
  file: string;
  line: number;
  target: string;
}

/** Inline links `[text](target)` and reference definitions `[id]: target`, skipping fenced code and inline code. */
export function links(file: string, markdown: string): Link[] {
  const out: Link[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (open) {
      if (fence === undefined) fence = open[1]![0];
      else if (open[1]![0] === fence) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ file, line: index + 1, target: m[1]! });
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(prose);
    if (def) out.push({ file, line: index + 1, target: def[1]! });
  });
  return out;
}

/** `relative(REPO, path)` with forward slashes. */
export function repoPath(path: string): string {
  return relative(REPO, path).split('\\').join('/');
}
