import { parseFlags, runCli } from '../lib/cli.js';
import { CqError } from '../lib/errors.js';
import { loadConfig } from '../nightly/config.js';
import { runNightly } from '../nightly/run-nightly.js';

const USAGE = 'npm run nightly -- [--date YYYY-MM-DD] [--extracts DIR] [--data DIR] [--config cq.config.json] [--full] [--force] [--no-site] [--no-exports] [--debug]';

/** `npm run nightly`: one command for the whole night (see transforms/nightly/run-nightly.ts). */
runCli(async (argv) => {
  const { flags, positional } = parseFlags(
    argv,
    { date: 'string', extracts: 'string', data: 'string', config: 'string', full: 'boolean', force: 'boolean', 'no-site': 'boolean', 'no-exports': 'boolean' },
    USAGE,
  );
  if (positional.length) throw new CqError('CLI_USAGE', `unexpected argument ${positional[0]}. Usage: ${USAGE}`);
  if (flags.date && !/^\d{4}-\d{2}-\d{2}$/.test(flags.date)) throw new CqError('CLI_USAGE', `--date must be YYYY-MM-DD, got ${flags.date}.`);
  const configFile = flags.config ?? 'cq.config.json';
  const config = loadConfig({
    ...(flags.extracts ? { extractsDir: flags.extracts } : {}),
    ...(flags.data ? { dataDir: flags.data } : {}),
    ...(flags['no-site'] ? { buildSite: false } : {}),
    ...(flags['no-exports'] ? { buildExports: false } : {}),
  }, configFile);
  const result = await runNightly({ config, configFile, ...(flags.date ? { date: flags.date } : {}), full: !!flags.full, force: !!flags.force });
  if (result.status === 'failed') throw result.error!;
});
