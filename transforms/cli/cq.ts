/**
 * `cq <subcommand> [options]`: the one command line of the product (the npm scripts are aliases:
 * `npm run load -- …` = `cq load …`). Every subcommand lives in its own file here, takes
 * `--help`, `--config FILE` and `--debug`, and gets the one configuration (cq.config.json or
 * `--config`), read and checked once; every failure is a `CqError` printed once, by `runCli`.
 *
 *   npx tsx transforms/cli/cq.ts --help
 *   npm run cq -- load --extracts data/extracts
 */
import { closest, runCli } from '../lib/cli.js';
import { CqError } from '../lib/errors.js';
import { COMMANDS } from './commands.js';
import { runCommand } from './command.js';

/** `cq --help`: every subcommand with its one-line summary. */
async function overview(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map((c) => c.load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'cq — credit-quality analytics: load extracts, build KPIs, publish the site, exports and SQL console',
    '',
    'Usage: cq <subcommand> [options]        (npm run <subcommand> -- [options], or npm run cq -- <subcommand> …)',
    '',
    'Subcommands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every subcommand takes --help (its options and an example), --config FILE (default cq.config.json)',
    'and --debug (stack traces). Every default path comes from the config: <dataDir>/warehouse.duckdb.',
    '',
    'Example:',
    '  cq load --extracts data/extracts && cq transform && cq sql "select * from metrics.kpi_values limit 5"',
  ].join('\n');
}

runCli(async (argv) => {
  // Options before the subcommand (`cq --config FILE load …`) are passed on to it.
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('--') && argv[i] !== '--help') {
    leading.push(argv[i]!);
    if (argv[i] === '--config') leading.push(argv[++i] ?? '');
    i++;
  }
  const name = argv[i];
  if (name === undefined || name === '--help' || name === 'help') {
    const topic = name === undefined ? undefined : argv[i + 1];
    if (topic && name === 'help') return helpFor(topic);
    if (name === undefined) throw new CqError('CLI_USAGE', `give a subcommand: cq <subcommand> [options]. Fix: one of ${COMMANDS.map((c) => c.name).join(', ')}; cq --help lists what each does.`);
    console.log(await overview());
    return;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const near = closest(name, COMMANDS.map((c) => c.name));
    throw new CqError('CLI_USAGE', `unknown subcommand "${name}". Fix: ${near ? `did you mean cq ${near}? Otherwise use` : 'use'} one of ${COMMANDS.map((c) => c.name).join(', ')} (cq --help lists what each does).`);
  }
  await runCommand(await entry.load(), [...leading, ...argv.slice(i + 1)]);
});

/** `cq help <subcommand>` = `cq <subcommand> --help`. */
async function helpFor(topic: string): Promise<void> {
  const entry = COMMANDS.find((c) => c.name === topic);
  if (!entry) throw new CqError('CLI_USAGE', `unknown subcommand "${topic}". Fix: one of ${COMMANDS.map((c) => c.name).join(', ')}.`);
  await runCommand(await entry.load(), ['--help']);
}
