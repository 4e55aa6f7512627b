import { CqError } from './errors.js';

/**
 * Runs a CLI entry point with the project's single top-level catch: a `CqError` prints
 * `error [CODE]: message` and exits 1; anything else is an internal error (exit 2).
 * `--debug` (or `CQ_DEBUG=1`) also prints stacks.
 *
 * @example
 * runCli(async (argv) => { await load(parseArgs(argv)); });
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

/**
 * Minimal flag parser: `--name value`, `--flag`, repeated flags collect into arrays,
 * everything else is positional. Unknown flags are rejected with a `CLI_USAGE` error.
 *
 * @example
 * const { flags } = parseFlags(['--month', '2026-10'], { month: 'string' });
 * flags.month; // '2026-10'
 */
export function parseFlags<S extends Record<string, 'string' | 'boolean' | 'strings'>>(
  argv: string[],
  spec: S,
  usage = '',
): {
  flags: { [K in keyof S]?: S[K] extends 'boolean' ? boolean : S[K] extends 'strings' ? string[] : string };
  positional: string[];
} {
  const flags: Record<string, unknown> = {};
  const positional: string[] = [];
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
    const kind = spec[rawName];
    if (!kind) throw new CqError('CLI_USAGE', `unknown option --${rawName}.${usage ? ` Usage: ${usage}` : ''}`);
    if (kind === 'boolean') {
      flags[rawName] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new CqError('CLI_USAGE', `option --${rawName} needs a value.${usage ? ` Usage: ${usage}` : ''}`);
    if (kind === 'strings') ((flags[rawName] ??= []) as string[]).push(value);
    else flags[rawName] = value;
  }
  return { flags: flags as never, positional };
}
