import { relative } from 'node:path';
import { warehousePath } from '../config/config.js';
import { writeReportBook } from '../publish/report-book/report-book.js';
import { defineCommand, runAsMain, usageError } from './command.js';
import { openReadOnlyWarehouse } from './read-only-warehouse.js';
import { requireDuckDbEngine } from '../config/engine-warehouse.js';

/**
 * `cq report`: writes the monthly report book (信贷资产质量月报) of each `--month` as a
 * paginated A4 PDF `<out>/report-book-<YYYY-MM>.pdf` (docs/report-book.md). Reads the warehouse
 * read-only; the same month from the same warehouse gives the same bytes.
 */
export const reportCommand = defineCommand({
  name: 'report',
  summary: 'the monthly report book (信贷资产质量月报) of a month as an A4 PDF',
  flags: {
    month: { kind: 'strings', value: 'YYYY-MM', help: 'business month of the book (repeatable; required)' },
    out: { kind: 'string', value: 'DIR', help: 'where report-book-<YYYY-MM>.pdf goes (default reports)' },
    warehouse: { kind: 'string', value: 'FILE', help: 'warehouse to read, read-only (default: <dataDir of the config>/warehouse.duckdb)' },
    'run-id': { kind: 'string', value: 'ID', help: 'run id on the cover (default: the run that built the warehouse)' },
    'generated-at': { kind: 'string', value: 'ISO', help: 'generation time on the cover and in the PDF (default: the last run or load)' },
    'prepared-by': { kind: 'string', value: 'NAME', help: '填表人 preparer (default: signatories.preparedBy of the config; none = a 草稿 DRAFT book)' },
    'reviewed-by': { kind: 'string', value: 'NAME', help: '复核人 reviewer (default: signatories.reviewedBy of the config)' },
    'approved-by': { kind: 'string', value: 'NAME', help: '负责人 approver (default: signatories.approvedBy of the config)' },
    quiet: { kind: 'boolean', help: 'no progress lines' },
  },
  notes: 'docs/report-book.md describes the book. Needs Chromium (npm run browser:install).',
  examples: ['cq report --month 2026-10', 'cq report --month 2026-10 --out reports --warehouse data/warehouse.duckdb'],
  async run({ flags, positional, context }) {
    if (positional.length) throw usageError(reportCommand, `unexpected argument "${positional[0]}".`);
    if (!flags.month?.length) throw usageError(reportCommand, '--month is required.');
    const config = context.config();
    requireDuckDbEngine(config, 'cq report', flags.warehouse);
    const path = flags.warehouse ?? warehousePath(config.dataDir);
    const wh = await openReadOnlyWarehouse(path);
    try {
      for (const month of flags.month) {
        const started = performance.now();
        const r = await writeReportBook(wh, {
          month,
          outDir: flags.out ?? 'reports',
          ...(flags['run-id'] ? { runId: flags['run-id'] } : {}),
          ...(flags['generated-at'] ? { generatedAt: flags['generated-at'] } : {}),
          institution: config.institution,
          signatories: {
            preparedBy: flags['prepared-by'] ?? config.signatories.preparedBy,
            reviewedBy: flags['reviewed-by'] ?? config.signatories.reviewedBy,
            approvedBy: flags['approved-by'] ?? config.signatories.approvedBy,
          },
          rejectLimits: config.rejectLimits,
          configFile: context.configFile,
          ...(flags.quiet ? {} : { onProgress: (m: string) => console.log(`  ${m}`) }),
        });
        console.log(
          `wrote ${relative(process.cwd(), r.file) || r.file} (${((performance.now() - started) / 1000).toFixed(1)} s): ${r.pages} pages, ${r.bytes} bytes, run ${r.runId}, sha256 ${r.sha256}`,
        );
      }
    } finally {
      await wh.close();
    }
  },
});

runAsMain(import.meta.url, reportCommand);
