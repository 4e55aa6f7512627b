import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { parseFlags, runCli } from '../lib/cli.js';
import { openWarehouse } from '../lib/duckdb.js';
import { CqError } from '../lib/errors.js';
import { loadConfig } from '../config/config.js';
import { appendSqlAudit } from '../publish/console/sql-audit-log.js';
import { exportPackage } from '../publish/exports/export-package.js';
import { verifyPackage } from '../publish/exports/manifest.js';

const USAGE =
  'npm run export -- --month YYYY-MM [--month …] [--report ID …] [--out exports] [--warehouse data/warehouse.duckdb] ' +
  '[--unmasked] [--run-id ID] [--generated-at ISO] [--no-pdf] [--prepared-by NAME] [--signed-off-by NAME] [--templates DIR] [--config cq.config.json] [--quiet] [--debug]\n' +
  '       npm run export -- --verify exports/YYYY-MM';

/**
 * `npm run export`: writes the regulator export package of each `--month` into
 * `<out>/<YYYY-MM>/` (XLSX + CSV per report, one PDF, manifest.json), or with `--verify DIR`
 * re-hashes a package against its manifest (exit 1, EXPORT_VERIFY_FAILED, naming each changed file).
 * A month a loaded file of which rejected more rows than its limit (`rejectLimits` of
 * cq.config.json or `--config FILE`) is refused (REJECT_LIMIT), like a night would not publish it.
 */
runCli(async (argv) => {
  const { flags, positional } = parseFlags(
    argv,
    {
      month: 'strings',
      report: 'strings',
      out: 'string',
      warehouse: 'string',
      unmasked: 'boolean',
      'run-id': 'string',
      'generated-at': 'string',
      'no-pdf': 'boolean',
      'prepared-by': 'string',
      'signed-off-by': 'string',
      templates: 'string',
      verify: 'string',
      quiet: 'boolean',
      config: 'string',
    },
    USAGE,
  );
  if (positional.length) throw new CqError('CLI_USAGE', `unexpected argument "${positional[0]}". Usage: ${USAGE}`);
  if (flags.verify !== undefined) {
    if (flags.month?.length) throw new CqError('CLI_USAGE', `--verify checks an existing package; do not combine it with --month. Usage: ${USAGE}`);
    const r = verifyPackage(flags.verify);
    console.log(`OK ${r.dir}: ${r.files} files match manifest.json (business month ${r.month}, package sha256 ${r.packageSha256})`);
    return;
  }
  if (!flags.month?.length) throw new CqError('CLI_USAGE', `--month is required. Usage: ${USAGE}`);
  if (flags.config && !existsSync(flags.config)) {
    throw new CqError('CLI_USAGE', `--config ${flags.config}: no such file. Fix: give the path of the configuration file (docs/operations.md), or leave --config out to use cq.config.json when present.`, { file: flags.config });
  }
  const configFile = flags.config ?? 'cq.config.json';
  const { rejectLimits } = loadConfig({}, configFile);
  const path = flags.warehouse ?? 'data/warehouse.duckdb';
  if (!existsSync(path)) throw new CqError('WAREHOUSE_MISSING', `${path}: no such warehouse. Fix: npm run load and npm run transform first, or pass --warehouse FILE.`, { file: path });
  let wh;
  try {
    wh = await openWarehouse(path, { readOnly: true });
  } catch (e) {
    throw new CqError('WAREHOUSE_LOCKED', `${path}: cannot open the warehouse read-only (${(e as Error).message}). Is a load or build writing to it?`, { file: path }, { cause: e });
  }
  try {
    for (const month of flags.month) {
      const started = performance.now();
      // An unmasked package holds full ID numbers and names: record who wrote it before it exists (refused if that fails).
      if (flags.unmasked) appendSqlAudit({ event: 'unmasked_export', unmasked: true, warehouse: path, query: `export --month ${month}`, out: flags.out ?? 'exports' });
      const r = await exportPackage(wh, {
        month,
        outDir: flags.out ?? 'exports',
        ...(flags.report?.length ? { reports: flags.report } : {}),
        unmasked: flags.unmasked ?? false,
        ...(flags['run-id'] ? { runId: flags['run-id'] } : {}),
        ...(flags['generated-at'] ? { generatedAt: flags['generated-at'] } : {}),
        pdf: !flags['no-pdf'],
        rejectLimits,
        configFile,
        ...(flags['prepared-by'] ? { preparedBy: flags['prepared-by'] } : {}),
        ...(flags['signed-off-by'] ? { signedOffBy: flags['signed-off-by'] } : {}),
        ...(flags.templates ? { templatesDir: flags.templates } : {}),
        ...(flags.quiet ? {} : { onProgress: (m: string) => console.log(`  ${m}`) }),
      });
      const m = r.manifest;
      console.log(`wrote ${relative(process.cwd(), r.dir) || r.dir}/ (${((performance.now() - started) / 1000).toFixed(1)} s): run ${m.run_id}, generated at ${m.generated_at}`);
      for (const f of m.files) console.log(`  ${f.path.padEnd(28)} ${String(f.bytes).padStart(9)} bytes  ${f.rows !== null ? `${f.rows} rows` : `${f.pages} pages`}  sha256 ${f.sha256.slice(0, 16)}…`);
      console.log(`  ${'manifest.json'.padEnd(28)} package sha256 ${m.package_sha256}${m.masking.unmasked ? '  (UNMASKED: contains full ID numbers)' : ''}`);
    }
  } finally {
    await wh.close();
  }
});
