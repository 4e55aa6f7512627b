import { existsSync } from 'node:fs';
import { flagKind, GLOBAL_FLAGS, isMainModule, parseFlags, runCli, type FlagSpec, type FlagValues } from '../lib/cli.js';
import { CqError } from '../lib/errors.js';
import { DEFAULT_CONFIG_FILE, type NightlyConfig } from '../config/config.js';
import { loadCheckedConfig } from '../operations/check-config.js';

/** What every subcommand gets besides its flags: the one configuration. */
export interface CommandContext {
  /** The configuration file: `--config FILE`, else cq.config.json (which need not exist). */
  configFile: string;
  /** True when `--config` named the file. */
  configGiven: boolean;
  /**
   * The configuration, read, validated, normalised and checked once (the first call; later calls
   * return the same object). Every default path of a command comes from it (`<dataDir>/warehouse.duckdb`).
   */
  config(): NightlyConfig;
}

/** A `cq` subcommand: one file under transforms/cli/ each, listed in commands.ts. */
export interface Command<S extends FlagSpec = FlagSpec> {
  /** As typed after `cq`, e.g. `load`, `site:build`. */
  name: string;
  /** One line for `cq --help`. */
  summary: string;
  /** Positional arguments in the usage line, e.g. `["SQL"]`. */
  args?: string;
  /** The command's own flags (`--config`, `--debug`, `--help` are added to every command). */
  flags: S;
  /** More help after the options (what the command does, where the docs are). */
  notes?: string;
  /** At least one full command line. */
  examples: string[];
  run(input: { flags: FlagValues<S & typeof GLOBAL_FLAGS>; positional: string[]; context: CommandContext }): Promise<void>;
}

/**
 * Declares a subcommand (typed flags for `run`).
 *
 * @example
 * export const loadCommand = defineCommand({ name: 'load', summary: '…', flags: { extracts: { kind: 'string', value: 'DIR', help: '…' } }, examples: ['cq load'], run: async ({ flags }) => { … } });
 */
export function defineCommand<S extends FlagSpec>(command: Command<S>): Command<S> {
  return command;
}

/**
 * The `--help` text of a subcommand: summary, usage, every option with its help, the npm alias and examples.
 *
 * @example
 * console.log(commandHelp(loadCommand));
 */
export function commandHelp(command: Command): string {
  const all: FlagSpec = { ...command.flags, ...GLOBAL_FLAGS };
  const label = (name: string) => {
    const def = all[name]!;
    const kind = flagKind(def);
    const value = typeof def === 'string' ? 'VALUE' : (def.value ?? 'VALUE');
    return kind === 'boolean' ? `--${name}` : `--${name} ${value}${kind === 'strings' ? ' …' : ''}`;
  };
  const width = Math.max(...Object.keys(all).map((n) => label(n).length));
  const lines = [
    `cq ${command.name} — ${command.summary}`,
    '',
    `Usage: cq ${command.name} [options]${command.args ? ` ${command.args}` : ''}`,
    `       npm run ${command.name} -- [options]${command.args ? ` ${command.args}` : ''}`,
    '',
    'Options:',
    ...Object.keys(all).map((n) => {
      const def = all[n]!;
      return `  ${label(n).padEnd(width)}  ${typeof def === 'string' ? '' : def.help}`.trimEnd();
    }),
  ];
  if (command.notes) lines.push('', command.notes.trim());
  lines.push('', `Example${command.examples.length > 1 ? 's' : ''}:`, ...command.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/**
 * The context of one command line: `--config FILE` (which must exist when given) or cq.config.json,
 * read and checked on first use only, so a command that needs no configuration never fails on it.
 *
 * @example
 * const context = commandContext('ops/cq.config.json');
 * context.config().dataDir;
 */
export function commandContext(configFlag: string | undefined): CommandContext {
  const configFile = configFlag ?? DEFAULT_CONFIG_FILE;
  let config: NightlyConfig | undefined;
  return {
    configFile,
    configGiven: configFlag !== undefined,
    config() {
      if (!config) {
        if (configFlag !== undefined && !existsSync(configFlag)) {
          throw new CqError('CLI_USAGE', `--config ${configFlag}: no such file. Fix: give the path of the configuration file (docs/operations.md), or leave --config out to use cq.config.json when present.`, { file: configFlag });
        }
        config = loadCheckedConfig({}, configFile);
      }
      return config;
    },
  };
}

/**
 * Parses a subcommand's arguments with the one flag parser, prints its help for `--help`, and runs it.
 *
 * @example
 * await runCommand(loadCommand, ['--extracts', 'data/extracts']);
 */
export async function runCommand(command: Command, argv: string[]): Promise<void> {
  const { flags, positional } = parseFlags(argv, { ...command.flags, ...GLOBAL_FLAGS }, `cq ${command.name} [options]${command.args ? ` ${command.args}` : ''} (\`cq ${command.name} --help\` explains each option)`);
  if (flags.help) {
    console.log(commandHelp(command));
    return;
  }
  const context = commandContext(flags.config as string | undefined);
  // An explicit --config that does not exist is an error even for a command that would not read it.
  if (context.configGiven && !existsSync(context.configFile)) context.config();
  await command.run({ flags: flags as never, positional, context });
}

/**
 * Runs `command` when its file is the script node was started with (`tsx transforms/cli/load.ts …`,
 * the same as `cq load …`); does nothing when the file is imported (by cq.ts, or a test).
 *
 * @example
 * runAsMain(import.meta.url, loadCommand);
 */
export function runAsMain(moduleUrl: string, command: Command<never> | Command): void {
  if (isMainModule(moduleUrl)) runCli((argv) => runCommand(command as Command, argv));
}

/**
 * A `CLI_USAGE` error for a wrong argument of `command`, naming the fix and where the help is.
 *
 * @example
 * throw usageError(loadCommand, '--date must be YYYY-MM-DD, got 2026-13-01');
 */
export function usageError(command: { name: string }, message: string): CqError {
  return new CqError('CLI_USAGE', `${message} (\`cq ${command.name} --help\` shows the usage)`);
}
