import { relative, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { FIVE_CLASSES, type FiveClass } from './five-category.js';
import { CqError } from '../lib/errors.js';
import { REPO_ROOT } from '../lib/repo-root.js';

/**
 * Reading a policy file (policy/*.yaml): YAML with the line of every key, and typed readers that
 * report a problem at a key path through `fail(path, message, fix)`, which throws `POLICY_INVALID`
 * naming the file, the line, the key and the fix. Every policy reader (read-policy.ts, the warning
 * rules, the credit-file cycles) checks its file with these, so every file's messages read alike.
 *
 * @example
 * const { root, fail } = parseYaml('dpd: -1\n', 'policy/x.yaml');
 * asWhole((root as { dpd: unknown }).dpd, ['dpd'], fail, 0, 3650, 'days');
 * // throws POLICY_INVALID "policy/x.yaml:1: dpd: -1 days is out of range (0 to 3650). Fix: write a whole number of days from 0 to 3650, without quotes."
 */

/** A key path inside a policy file: keys and 0-based list positions. */
export type Path = readonly (string | number)[];
/** Reports a problem at a key path; never returns (throws POLICY_INVALID). */
export type Fail = (path: Path, message: string, fix: string) => never;

export function asMap(v: unknown, at: Path, fail: Fail, what: string, fix: string): Record<string, unknown> {
  if (v === undefined || v === null) fail(at, `${at.length ? 'is empty' : 'the file is empty'}; expected ${what}.`, fix);
  if (typeof v !== 'object' || Array.isArray(v)) fail(at, `expected ${what}, got ${Array.isArray(v) ? 'a list' : show(v)}.`, fix);
  return v as Record<string, unknown>;
}

export function asList(v: unknown, at: Path, fail: Fail, fix: string): unknown[] {
  if (!Array.isArray(v)) fail(at, `expected a list (lines starting with "- "), got ${v === null || v === undefined ? 'nothing' : show(v)}.`, fix);
  if ((v as unknown[]).length === 0) fail(at, 'the list is empty.', fix);
  return v as unknown[];
}

/**
 * Checks the keys of a mapping: an unknown key fails (naming the snake_case spelling when it is one
 * of `known` written in camelCase or with dashes), a missing required key fails with the example of
 * `examples` for it.
 */
export function checkKeys(o: Record<string, unknown>, at: Path, known: readonly string[], required: readonly string[], fail: Fail, examples: Readonly<Record<string, string>> = {}): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const snake = k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replaceAll('-', '_');
    const near = known.find((x) => x === snake);
    fail([...at, k], `unknown key "${k}".`, near ? `write it as "${near}".` : `remove it or correct its spelling; the keys here are ${known.join(', ')}.`);
  }
  for (const k of required) {
    if (!(k in o) || o[k] === undefined) {
      fail(at, `the key "${k}" is missing${at.length ? '' : ' at the top of the file'}.`, `add ${examples[k] ?? `"${k}:"`} (the shipped policy/ files show every key; policy/README.md describes them).`);
    }
  }
}


export function asClass(v: unknown, at: Path, fail: Fail, whyNotPass: string): Exclude<FiveClass, '正常'> {
  if (typeof v !== 'string' || !(FIVE_CLASSES as readonly string[]).includes(v)) {
    fail(at, `${show(v)} is not a five-category class.`, `use one of 关注, 次级, 可疑, 损失 (classes: ${FIVE_CLASSES.join(' < ')}).`);
  }
  if (v === '正常') fail(at, `正常 is not allowed here: ${whyNotPass}.`, 'use 关注, 次级, 可疑 or 损失, or remove the entry.');
  return v as Exclude<FiveClass, '正常'>;
}

export function asWhole(v: unknown, at: Path, fail: Fail, min: number, max: number, unit: string): number {
  const fix = `write a whole number of ${unit} from ${min} to ${max}, without quotes.`;
  if (typeof v !== 'number') fail(at, `expected a whole number of ${unit}, got ${v === undefined || v === null ? 'nothing' : show(v)}.`, fix);
  if (!Number.isInteger(v)) fail(at, `expected a whole number of ${unit}, got ${v}.`, fix);
  if ((v as number) < min || (v as number) > max) fail(at, `${v} ${unit} is out of range (${min} to ${max}).`, fix);
  return v as number;
}

export function asBool(v: unknown, at: Path, fail: Fail): boolean {
  if (typeof v !== 'boolean') fail(at, `expected true or false, got ${show(v)}.`, 'write true or false, without quotes (yes, no, on and off are text in YAML 1.2).');
  return v as boolean;
}

export function asPd(v: unknown, at: Path, fail: Fail): number {
  if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(v)) {
    const n = Number(v.replace('%', '')) / 100;
    fail(at, `expected a probability as a number, got ${show(v)}.`, `write ${n} for ${v.trim()}.`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, `expected a probability above 0 and at most 1, got ${show(v)}.`, 'write the PD as a fraction without quotes, e.g. 0.2 for 20%.');
  if ((v as number) > 1 && (v as number) <= 100) fail(at, `${v} is out of range (above 0, at most 1).`, `write the PD as a fraction: ${(v as number) / 100} for ${v}%.`);
  if ((v as number) <= 0 || (v as number) > 1) fail(at, `${v} is out of range (above 0, at most 1).`, 'write the PD as a fraction above 0 and at most 1, e.g. 0.2 for 20%.');
  return v as number;
}

export function show(v: unknown): string {
  if (typeof v === 'string') return `the text "${v}"`;
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'object') return Array.isArray(v) ? 'a list' : 'a mapping';
  return String(v);
}

// YAML with line numbers.

/** A key path as shown to the lender: `rules[2].any_of.pd_at_least` (list items counted from 1). */
export function displayKey(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p + 1}]` : i === 0 ? p : `.${p}`)).join('') || '(file)';
}

export function failer(label: string, lineOf: ((path: Path) => number | undefined) | undefined, file?: string): Fail {
  return (path, message, fix) => {
    const line = lineOf?.(path);
    const where: { file?: string; line?: number; key?: string } = { key: displayKey(path) };
    if (file) where.file = file;
    if (line !== undefined) where.line = line;
    throw new CqError('POLICY_INVALID', `${label}${line !== undefined ? `:${line}` : ''}: ${displayKey(path)}: ${message} Fix: ${fix}`, where);
  };
}

export function parseYaml(text: string, file: string): { root: unknown; fail: Fail } {
  const label = shown(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    const duplicate = e.code === 'DUPLICATE_KEY';
    throw new CqError(
      'POLICY_INVALID',
      `${label}${line !== undefined ? `:${line}` : ''}: ${duplicate ? 'a key appears twice in the same mapping' : `not valid YAML (${e.message.split('\n')[0]!.replace(/:$/, '')})`}. Fix: ${duplicate ? 'keep one of the two (each key once per rule or entry).' : 'correct the YAML at that line (indent with spaces, "key: value", list items start with "- ").'}`,
      { file, ...(line !== undefined ? { line } : {}) },
    );
  }
  const lines = new Map<string, number>();
  indexLines(doc.contents as Node | null, '', lines, lineCounter);
  const lineOf = (path: Path): number | undefined => {
    for (let n = path.length; n > 0; n--) {
      const line = lines.get(path.slice(0, n).join('.'));
      if (line !== undefined) return line;
    }
    return 1;
  };
  return { root: doc.toJS() as unknown, fail: failer(label, lineOf, file) };
}

function indexLines(node: Node | null, prefix: string, lines: Map<string, number>, lc: LineCounter): void {
  if (!node) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const path = prefix ? `${prefix}.${k}` : k;
      const range = (pair.key as Node | null)?.range;
      if (range) lines.set(path, lc.linePos(range[0]).line);
      indexLines(pair.value as Node | null, path, lines, lc);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const path = prefix ? `${prefix}.${i}` : String(i);
      const range = (item as Node | null)?.range;
      if (range) lines.set(path, lc.linePos(range[0]).line);
      indexLines(item as Node | null, path, lines, lc);
    });
  }
}

/** A path for messages: relative to the working directory when that is shorter. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && rel.length < path.length ? rel : path;
}

/** A path for records (ops.policy_files): relative to the project when inside it, else absolute. */
export function recordedPath(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel && !rel.startsWith('..') && !rel.startsWith('/') ? rel : resolve(path);
}
