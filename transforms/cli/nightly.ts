import { runNightly } from '../operations/run-nightly.js';
import { defineCommand, runAsMain, usageError } from './command.js';
import { requireDuckDbEngine } from '../config/engine-warehouse.js';

/**
 * `cq nightly`: one command for the whole night (see transforms/operations/run-nightly.ts).
 * `--pdf-optional` (exportPdf "optional"; `cq demo` passes it): without Chromium the
 * regulator PDF is skipped and recorded, instead of failing the night.
 */
export const nightlyCommand = defineCommand({
  name: 'nightly',
  summary: 'the whole night: load (reject gate) → models and KPIs → data tests → exports → site → atomic publish',
  flags: {
    date: { kind: 'string', value: 'YYYY-MM-DD', help: 'process only this business date (default: every pending date, in order)' },
    extracts: { kind: 'string', value: 'DIR', help: 'folder of business-date extract folders (default: extractsDir of the config)' },
    data: { kind: 'string', value: 'DIR', help: 'data folder to publish into (default: dataDir of the config, data)' },
    full: { kind: 'boolean', help: 'rebuild the warehouse from all extracts' },
    force: { kind: 'boolean', help: 're-process dates that already succeeded' },
    'no-site': { kind: 'boolean', help: 'do not build the Evidence site' },
    'no-exports': { kind: 'boolean', help: 'do not write the regulator packages' },
    'pdf-optional': { kind: 'boolean', help: 'without Chromium, skip the regulator PDF instead of failing (exportPdf "optional")' },
    restate: { kind: 'boolean', help: 'publish changed KPIs of closed months and re-close them (needs --by and --reason; docs/operations.md)' },
    by: { kind: 'string', value: 'NAME', help: 'with --restate: who restates' },
    reason: { kind: 'string', value: 'TEXT', help: 'with --restate: why (kept with the restatement)' },
  },
  notes: 'Publishes <dataDir>/warehouse.duckdb, site/, exports/ and status.json atomically (docs/operations.md).',
  examples: ['cq nightly', 'cq nightly --date 2026-10-31 --force --no-site', 'cq nightly --restate --by 王芳 --reason "2026-08 balances corrected by core banking"'],
  async run({ flags, positional, context }) {
    if (positional.length) throw usageError(nightlyCommand, `unexpected argument ${positional[0]}.`);
    if (flags.date && !/^\d{4}-\d{2}-\d{2}$/.test(flags.date)) throw usageError(nightlyCommand, `--date must be YYYY-MM-DD, got ${flags.date}.`);
    if (flags.restate && !(flags.by?.trim() && flags.reason?.trim())) throw usageError(nightlyCommand, '--restate needs --by NAME and --reason TEXT (who restates the closed month and why).');
    if (!flags.restate && (flags.by !== undefined || flags.reason !== undefined)) throw usageError(nightlyCommand, '--by and --reason go with --restate.');
    requireDuckDbEngine(context.config(), 'cq nightly', undefined);
    const config = {
      ...context.config(),
      ...(flags.extracts ? { extractsDir: flags.extracts } : {}),
      ...(flags.data ? { dataDir: flags.data } : {}),
      ...(flags['no-site'] ? { buildSite: false } : {}),
      ...(flags['no-exports'] ? { buildExports: false } : {}),
      ...(flags['pdf-optional'] ? { exportPdf: 'optional' as const } : {}),
    };
    const result = await runNightly({ config, configFile: context.configFile, ...(flags.date ? { date: flags.date } : {}), full: !!flags.full, force: !!flags.force, ...(flags.restate ? { restate: { by: flags.by!.trim(), reason: flags.reason!.trim() } } : {}) });
    if (result.status === 'failed') throw result.error!;
  },
});

runAsMain(import.meta.url, nightlyCommand);
