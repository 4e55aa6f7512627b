import { existsSync } from 'node:fs';
import { parseFlags, runCli } from '../lib/cli.js';
import { CqError } from '../lib/errors.js';
import { loadConfig } from '../config/config.js';
import { runNightly } from '../operations/run-nightly.js';

const USAGE = 'npm run nightly -- [--date YYYY-MM-DD] [--extracts DIR] [--data DIR] [--config cq.config.json] [--full] [--force] [--no-site] [--no-exports] [--pdf-optional] [--debug]';

/**
 * `npm run nightly`: one command for the whole night (see transforms/operations/run-nightly.ts).
 * `--pdf-optional` (exportPdf "optional"; `npm run demo` passes it): without Chromium the
 * regulator PDF is skipped and recorded, instead of failing the night.
 */
runCli(async (argv) => {
  const { flags, positional } = parseFlags(
    argv,
    { date: 'string', extracts: 'string', data: 'string', config: 'string', full: 'boolean', force: 'boolean', 'no-site': 'boolean', 'no-exports': 'boolean', 'pdf-optional': 'boolean' },
    USAGE,
  );
  if (positional.length) throw new CqError('CLI_USAGE', `unexpected argument ${positional[0]}. Usage: ${USAGE}`);
  if (flags.date && !/^\d{4}-\d{2}-\d{2}$/.test(flags.date)) throw new CqError('CLI_USAGE', `--date must be YYYY-MM-DD, got ${flags.date}.`);
  const configFile = flags.config ?? 'cq.config.json';
  if (flags.config && !existsSync(flags.config)) throw new CqError('CLI_USAGE', `--config ${flags.config}: no such file. Fix: give the path of the configuration file (docs/operations.md), or leave --config out to use cq.config.json when present.`, { file: flags.config });
  const config = loadConfig({
    ...(flags.extracts ? { extractsDir: flags.extracts } : {}),
    ...(flags.data ? { dataDir: flags.data } : {}),
    ...(flags['no-site'] ? { buildSite: false } : {}),
    ...(flags['no-exports'] ? { buildExports: false } : {}),
    ...(flags['pdf-optional'] ? { exportPdf: 'optional' as const } : {}),
  }, configFile);
  const result = await runNightly({ config, configFile, ...(flags.date ? { date: flags.date } : {}), full: !!flags.full, force: !!flags.force });
  if (result.status === 'failed') throw result.error!;
});
