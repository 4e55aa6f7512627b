import { relative } from 'node:path';
import { warehousePath } from '../config/config.js';
import { openCitusWarehouse } from '../config/engine-warehouse.js';
import { appendSqlAudit } from '../publish/console/sql-audit-log.js';
import { exportPackage } from '../publish/exports/export-package.js';
import { verifyPackage } from '../publish/exports/manifest.js';
import { defineCommand, runAsMain, usageError } from './command.js';
import { openReadOnlyWarehouse } from './read-only-warehouse.js';

/**
 * `cq export`: writes the regulator export package of each `--month` into
 * `<out>/<YYYY-MM>/` (XLSX + CSV per report, one PDF, manifest.json), or with `--verify DIR`
 * re-hashes a package against its manifest (exit 1, EXPORT_VERIFY_FAILED, naming each changed file).
 * A month a loaded file of which rejected more rows than its limit (`rejectLimits` of the config)
 * is refused (REJECT_LIMIT), like a night would not publish it.
 */
export const exportCommand = defineCommand({
  name: 'export',
  summary: 'regulator packages of a month: XLSX, CSV, PDF and a manifest (or --verify a package)',
  flags: {
    month: { kind: 'strings', value: 'YYYY-MM', help: 'business month to export (repeatable; required unless --verify)' },
    report: { kind: 'strings', value: 'ID', help: 'only this report (repeatable; policy/reports/ID.yaml; default all)' },
    out: { kind: 'string', value: 'DIR', help: 'where the <YYYY-MM>/ package folders go (default exports)' },
    warehouse: { kind: 'string', value: 'FILE', help: 'warehouse to read, read-only (default: <dataDir of the config>/warehouse.duckdb)' },
    unmasked: { kind: 'boolean', help: 'full ID numbers and names (recorded in the audit log first)' },
    'run-id': { kind: 'string', value: 'ID', help: 'run id stated in the manifest' },
    'generated-at': { kind: 'string', value: 'ISO', help: 'generation time stated in the package (default: the last load)' },
    'no-pdf': { kind: 'boolean', help: 'skip the PDF' },
    'prepared-by': { kind: 'string', value: 'NAME', help: '填表人 preparer (default: signatories.preparedBy of the config; none = a 草稿 DRAFT package)' },
    'reviewed-by': { kind: 'string', value: 'NAME', help: '复核人 reviewer (default: signatories.reviewedBy of the config)' },
    'approved-by': { kind: 'string', value: 'NAME', help: '负责人 approver (default: signatories.approvedBy of the config)' },
    'submitted-on': { kind: 'string', value: 'YYYY-MM-DD', help: '报送日期 submission date (default: the date of the run)' },
    templates: { kind: 'string', value: 'DIR', help: 'report layouts (default policy/reports/)' },
    verify: { kind: 'string', value: 'DIR', help: 're-hash an existing package against its manifest.json' },
    quiet: { kind: 'boolean', help: 'no progress lines' },
  },
  notes: 'docs/exports.md describes the package.',
  examples: ['cq export --month 2026-10', 'cq export --verify exports/2026-10'],
  async run({ flags, positional, context }) {
    if (positional.length) throw usageError(exportCommand, `unexpected argument "${positional[0]}".`);
    if (flags.verify !== undefined) {
      if (flags.month?.length) throw usageError(exportCommand, '--verify checks an existing package; do not combine it with --month.');
      const r = verifyPackage(flags.verify);
      console.log(`OK ${r.dir}: ${r.files} files match manifest.json (business month ${r.month}, package sha256 ${r.packageSha256})`);
      return;
    }
    if (!flags.month?.length) throw usageError(exportCommand, '--month is required.');
    const config = context.config();
    // Engine citus (and no --warehouse FILE): the package is written from the server's tables.
    const citus = config.engine === 'citus' && flags.warehouse === undefined;
    const wh = citus ? await openCitusWarehouse(config) : await openReadOnlyWarehouse(flags.warehouse ?? warehousePath(config.dataDir));
    const path = wh.path;
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
          rejectLimits: config.rejectLimits,
          configFile: context.configFile,
          institution: config.institution,
          signatories: {
            preparedBy: flags['prepared-by'] ?? config.signatories.preparedBy,
            reviewedBy: flags['reviewed-by'] ?? config.signatories.reviewedBy,
            approvedBy: flags['approved-by'] ?? config.signatories.approvedBy,
          },
          ...(flags['submitted-on'] ? { submittedOn: flags['submitted-on'] } : {}),
          ...(flags.templates ? { templatesDir: flags.templates } : {}),
          ...(flags.quiet ? {} : { onProgress: (m: string) => console.log(`  ${m}`) }),
        });
        const m = r.manifest;
        console.log(`wrote ${relative(process.cwd(), r.dir) || r.dir}/ (${((performance.now() - started) / 1000).toFixed(1)} s): run ${m.run_id}, generated at ${m.generated_at}`);
        for (const f of m.files) console.log(`  ${f.path.padEnd(28)} ${String(f.bytes).padStart(9)} bytes  ${f.rows !== null ? `${f.rows} rows` : `${f.pages} pages`}  sha256 ${f.sha256.slice(0, 16)}…`);
        console.log(`  ${'manifest.json'.padEnd(28)} package sha256 ${m.package_sha256}${m.masking.unmasked ? '  (UNMASKED: contains full ID numbers)' : ''}`);
        if (m.sign_off.status === 'draft') console.log('  草稿 DRAFT: no preparer (填表人) named; pass --prepared-by NAME or set signatories.preparedBy in the config.');
      }
    } finally {
      await wh.close();
    }
  },
});

runAsMain(import.meta.url, exportCommand);
