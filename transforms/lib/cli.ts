import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CqError } from './errors.js';
import { REPO_ROOT } from './repo-root.js';

/**
 * Runs a CLI entry point with the project's single top-level catch: a `CqError` prints
 * `error [CODE]: message` and exits 1; anything else is an internal error (exit 2).
 * `--debug` (or `CQ_DEBUG=1`) also prints stacks.
 *
 * @example
 * runCli(async (argv) => { const { flags } = parseFlags(argv, { month: 'string' }); await run(flags); });
 */
export function runCli(main: (argv: string[]) => Promise<void>): void {
  const argv = process.argv.slice(2);
  const debug = argv.includes('--debug') || process.env.CQ_DEBUG === '1';
  main(argv.filter((a) => a !== '--debug')).then(
    () => process.exit(process.exitCode ?? 0),
    (e: unknown) => {
      if (e instanceof CqError) {
        console.error(`error [${e.code}]: ${e.message}`);
        if (debug && e.stack) console.error(e.stack);
        process.exit(1);
      }
      console.error(`internal error: ${e instanceof Error ? e.message : String(e)}`);
      if (debug && e instanceof Error && e.stack) console.error(e.stack);
      else console.error('(run again with --debug for the stack trace)');
      process.exit(2);
    },
  );
}

/** How a flag takes its value: `--name value`, a bare `--flag`, or a repeatable `--name value`. */
export type FlagKind = 'string' | 'boolean' | 'strings';

/** A flag with what `--help` says about it. */
export interface FlagDef {
  kind: FlagKind;
  /** Placeholder of the value in the help, e.g. `DIR` (default `VALUE`). */
  value?: string;
  /** One line for `--help`, including the default. */
  help: string;
}

/** The flags a command accepts: name (without `--`) → kind, or kind with its help. */
export type FlagSpec = Record<string, FlagKind | FlagDef>;

type KindOf<F> = F extends FlagDef ? F['kind'] : F;

/** The parsed values of a {@link FlagSpec}: strings, booleans, or arrays for repeatable flags. */
export type FlagValues<S extends FlagSpec> = {
  [K in keyof S]?: KindOf<S[K]> extends 'boolean' ? boolean : KindOf<S[K]> extends 'strings' ? string[] : string;
};

/**
 * The flags every `cq` subcommand takes, parsed by {@link parseFlags} with the command's own.
 * (`--debug` is also taken out of the arguments by {@link runCli}, before any parsing.)
 */
export const GLOBAL_FLAGS = {
  config: { kind: 'string', value: 'FILE', help: 'configuration file (default cq.config.json in the working folder, when present; docs/operations.md)' },
  debug: { kind: 'boolean', help: 'print the stack trace of an error' },
  help: { kind: 'boolean', help: 'show this help' },
} as const satisfies FlagSpec;

/** The kind of a flag of a spec entry. */
export function flagKind(def: FlagKind | FlagDef): FlagKind {
  return typeof def === 'string' ? def : def.kind;
}

/**
 * The one flag parser of the project: `--name value`, `--name=value`, `--flag`, repeated flags
 * collect into arrays, `--` ends the options, everything else is positional. An unknown flag is a
 * `CLI_USAGE` error naming the known ones (and the closest, when it looks like a typo); `usage`
 * (a usage line, or where to find one) ends every usage message.
 *
 * @example
 * const { flags } = parseFlags(['--month', '2026-10'], { month: 'string' });
 * flags.month; // '2026-10'
 */
export function parseFlags<S extends FlagSpec>(
  argv: string[],
  spec: S,
  usage = '',
): {
  flags: FlagValues<S>;
  positional: string[];
} {
  const flags: Record<string, unknown> = {};
  const positional: string[] = [];
  const tail = usage ? ` Usage: ${usage}` : '';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      // End of options: everything after is positional (e.g. a query that starts with a -- comment).
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const def = Object.prototype.hasOwnProperty.call(spec, rawName) ? spec[rawName] : undefined;
    if (!def) {
      const names = Object.keys(spec);
      const near = closest(rawName, names);
      throw new CqError(
        'CLI_USAGE',
        `unknown option --${rawName}. Fix: ${near ? `did you mean --${near}? Otherwise ` : ''}leave it out, or use one of ${names.map((n) => `--${n}`).join(', ')}.${tail}`,
      );
    }
    const kind = flagKind(def);
    if (kind === 'boolean') {
      if (inline !== undefined) throw new CqError('CLI_USAGE', `option --${rawName} takes no value (got --${rawName}=${inline}).${tail}`);
      flags[rawName] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new CqError('CLI_USAGE', `option --${rawName} needs a value.${tail}`);
    if (kind === 'strings') ((flags[rawName] ??= []) as string[]).push(value);
    else flags[rawName] = value;
  }
  return { flags: flags as never, positional };
}

/**
 * The candidate nearest to a mistyped `name` (edit distance at most 2, or a prefix), if any.
 *
 * @example
 * closest('extract', ['extracts', 'warehouse']); // 'extracts'
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = c.startsWith(name) || name.startsWith(c) ? Math.min(1, Math.abs(c.length - name.length)) : editDistance(name, c);
    if (d <= 2 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** Absolute path of the `cq` entry point (transforms/cli/cq.ts). */
export const CQ_ENTRY = join(REPO_ROOT, 'transforms', 'cli', 'cq.ts');

/**
 * Node arguments that run `cq <subcommand> …` in a child process, from any working folder: the
 * TypeScript loader (tsx) and the entry are absolute paths. Use with `process.execPath`.
 *
 * @example
 * spawn(process.execPath, cqProcessArgs('site:build', ['--warehouse', w, '--out', out]));
 * // node --import file:///…/node_modules/tsx/dist/loader.mjs /…/transforms/cli/cq.ts site:build --warehouse … --out …
 */
export function cqProcessArgs(subcommand: string, args: readonly string[] = []): string[] {
  return ['--import', tsxLoader(), CQ_ENTRY, subcommand, ...args];
}

/** URL of the tsx loader of this repository's node_modules (what `--import tsx` finds from the repository root). */
function tsxLoader(): string {
  return pathToFileURL(createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx')).href;
}

/**
 * True when the module at `moduleUrl` is the script node was started with (`node … file.ts`), so
 * a file can be both importable and runnable.
 *
 * @example
 * if (isMainModule(import.meta.url)) runCli(main);
 */
export function isMainModule(moduleUrl: string): boolean {
  return !!process.argv[1] && moduleUrl === pathToFileURL(resolve(process.argv[1])).href;
}
