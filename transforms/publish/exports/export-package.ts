import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openWarehouse } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError, isCqError } from '../../lib/errors.js';
import { DEFAULT_REJECT_LIMITS, enforceRejectGate, type RejectLimits } from '../../ingest/load/reject-gate.js';
import { amountCurrency, withAmountUnit, type AmountCurrency } from './amount-currency.js';
import { buildClassMigration } from './class-migration-report.js';
import { buildFiveCategory } from './five-category-report.js';
import { buildKpiReport } from './kpi-report.js';
import { buildLargeExposures } from './large-exposures-report.js';
import {
  MANIFEST_NAME,
  MANIFEST_VERSION,
  manifestText,
  packageSha256,
  sha256,
  type Manifest,
  type ManifestFile,
} from './manifest.js';
import { buildNplProvisioning } from './npl-provisioning-report.js';
import { CHROMIUM_INSTALL_COMMAND, chromiumMissing, chromiumPath } from '../../lib/chromium.js';
import { pdfPageCount, printPdf } from './print-pdf.js';
import { normalisePdf } from './pdf-metadata.js';
import { packageHtml, pdfFooterTemplate, pdfHeaderTemplate } from './render-html.js';
import type { BuiltReport, PackageContext, Submission } from './report-table.js';
import { DEFAULT_CONFIG, type Institution, type Signatories } from '../../config/config.js';
import { PublishedFigures, publishBookFigures } from './published-figures.js';
import { enforceValidation, loadValidationRules, runValidationRules, VALIDATION_RULES_FILE } from './validation-rules.js';
import { relative as relPath } from 'node:path';
import { REPO_ROOT } from '../../lib/repo-root.js';
import { loadReportTemplates, REPORTS_DIR, type ReportKind, type ReportTemplate } from './report-template.js';
import { metricDefinitionsHash, parseBusinessMonth, requireMonth, resolveRunInfo, sourceExtracts } from './run-info.js';
import { policyFilesOf } from '../../policy/record-policy.js';
import { tableCsv } from './write-csv.js';
import { reportXlsx } from './write-xlsx.js';

/** File name of the whole-package PDF inside a package folder. */
export const PDF_NAME = 'package.pdf';

const BUILDERS: Record<ReportKind, (wh: WarehouseHandle, t: ReportTemplate, ctx: PackageContext) => Promise<BuiltReport>> = {
  five_category: buildFiveCategory,
  class_migration: buildClassMigration,
  npl_provisioning: buildNplProvisioning,
  kpi_report: buildKpiReport,
  large_exposures: buildLargeExposures,
};

/** Options of {@link exportPackage}. */
export interface ExportOptions {
  /** Business month `YYYY-MM`. */
  month: string;
  /** Parent folder; the package is written to `<outDir>/<YYYY-MM>/` (replaced atomically). */
  outDir: string;
  /** Report ids to include (template `id`s). Default: every template. */
  reports?: readonly string[];
  /** Show ID numbers and names in full (recorded in the manifest). Default false. */
  unmasked?: boolean;
  /** Run id for the manifest. Default: from ops.runs / ops.load_audit (see run-info.ts). */
  runId?: string;
  /** Generated-at for the manifest and file metadata. Default: from the run (never the clock). */
  generatedAt?: string;
  /**
   * Print the PDF (needs Chromium). Default true: without Chromium the export fails
   * (EXPORT_FAILED). `'optional'`: when Chromium is not installed the PDF is skipped and the
   * manifest says so (`pdf_skipped`, with `pdfFix`); any other printing failure still fails.
   */
  pdf?: boolean | 'optional';
  /** Chromium binary. Default `$CHROMIUM_PATH`, else /usr/bin/chromium (see print-pdf.ts). */
  chromiumPath?: string;
  /** The command that adds a skipped PDF, for the manifest. Default: install Chromium, then `npm run export -- --month M`. */
  pdfFix?: string;
  /**
   * The publish gate: the month is refused (REJECT_LIMIT) when a file loaded for one of its
   * business dates rejected more than its fail limit, or all its rows. Default warn 0.5 %, fail 5 %.
   */
  rejectLimits?: RejectLimits;
  /** The config file the limits came from, named in the refusal (default cq.config.json). */
  configFile?: string;
  /** Templates folder. Default policy/reports. */
  templatesDir?: string;
  /** The reporting institution printed on every form (config `institution`). Default: the config default. */
  institution?: Institution;
  /** 填表人 / 复核人 / 负责人 (config `signatories`, or `cq export --prepared-by/--reviewed-by/--approved-by`). Without a preparer the package is a draft (草稿 DRAFT on every form). */
  signatories?: Partial<Signatories>;
  /** 报送日期 `YYYY-MM-DD`. Default: the date of `generatedAt` (the run), so re-exports stay byte-identical; the CLI passes the run date. */
  submittedOn?: string;
  /** Validation rules file. Default policy/reports/validation/rules.yaml. */
  rulesFile?: string;
  /** Test hook: called with the built reports before validation (e.g. to plant a one-cent disagreement). */
  beforeValidation?: (reports: BuiltReport[]) => void;
  /** Progress messages. */
  onProgress?: (message: string) => void;
}

/** Result of {@link exportPackage}. */
export interface ExportResult {
  /** The package folder. */
  dir: string;
  manifest: Manifest;
  /** Files written including manifest.json. */
  fileCount: number;
  /** Set when `pdf: 'optional'` skipped the PDF: why, and the command that adds it. */
  pdfSkipped?: { reason: string; fix: string };
}

/**
 * Writes one month's regulator export package into `<outDir>/<YYYY-MM>/`: per report an XLSX
 * workbook and a CSV per table (layouts from `policy/reports/*.yaml`), one PDF of the whole
 * package, and `manifest.json` (run, generated-at, SHA-256 and size of every file, row counts,
 * metric-definitions hash, source extract checksums, masking). Figures come from the KPI tables,
 * marts and core of the warehouse. Exporting the same month twice from the same warehouse gives
 * byte-identical XLSX, CSV, PDF and manifest (see docs/exports.md; the PDF with the same
 * Chromium build and fonts). The folder is assembled beside the target and renamed into place, so readers
 * never see half a package.
 *
 * @example
 * const wh = await openWarehouse('data/warehouse.duckdb', { readOnly: true });
 * const { dir } = await exportPackage(wh, { month: '2026-10', outDir: 'exports' });
 */
export async function exportPackage(wh: WarehouseHandle, options: ExportOptions): Promise<ExportResult> {
  const progress = options.onProgress ?? (() => {});
  const bm = parseBusinessMonth(options.month);
  await requireMonth(wh, bm);
  // The publish gate: no package for a month whose extracts rejected too many rows.
  await enforceRejectGate(wh, { month: bm.month }, options.rejectLimits ?? DEFAULT_REJECT_LIMITS, {
    action: `the ${bm.month} package is not exported`,
    ...(options.configFile ? { configFile: options.configFile } : {}),
    warn: progress,
  });
  // Every amount is stated in the warehouse's reporting currency; refused when some loan could not be converted.
  const amounts = await amountCurrency(wh, bm);
  const run = await resolveRunInfo(wh, { ...(options.runId ? { runId: options.runId } : {}), ...(options.generatedAt ? { generatedAt: options.generatedAt } : {}) });
  let templates = loadReportTemplates(options.templatesDir ?? REPORTS_DIR);
  if (options.reports?.length) {
    const known = templates.map((t) => t.id);
    for (const r of options.reports) {
      if (!known.includes(r)) throw new CqError('CLI_USAGE', `--report ${r}: no such report. Reports: ${known.join(', ')}.`);
    }
    templates = templates.filter((t) => options.reports!.includes(t.id));
  }
  templates = templates.map((t) => withUnitLabels(t, amounts));
  const signatories = { ...DEFAULT_CONFIG.signatories, ...(options.signatories ?? {}) };
  const submittedOn = options.submittedOn ?? run.generatedAt.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(submittedOn) || Number.isNaN(Date.parse(submittedOn))) {
    throw new CqError('CLI_USAGE', `--submitted-on ${submittedOn}: not a date YYYY-MM-DD.`);
  }
  const submission: Submission = {
    institution: options.institution ?? DEFAULT_CONFIG.institution,
    preparedBy: signatories.preparedBy.trim(),
    reviewedBy: signatories.reviewedBy.trim(),
    approvedBy: signatories.approvedBy.trim(),
    submittedOn,
    draft: signatories.preparedBy.trim() === '',
  };
  const figures = new PublishedFigures();
  await publishBookFigures(wh, bm.asOfDate, figures);
  const ctx: PackageContext = { month: bm.month, asOfDate: bm.asOfDate, runId: run.runId, generatedAt: run.generatedAt, unmasked: options.unmasked ?? false, amounts, figures, submission };

  const reports: BuiltReport[] = [];
  for (const t of templates) {
    progress(`building ${t.id}`);
    reports.push(await BUILDERS[t.kind](wh, t, ctx));
  }
  // 表内 / 表间校验 on the rounded published cells: a package that fails one is not written.
  options.beforeValidation?.(reports);
  progress('validating');
  enforceValidation(runValidationRules(reports, loadValidationRules(options.rulesFile)), bm.month);

  const root = resolve(options.outDir);
  const finalDir = join(root, bm.month);
  const work = join(root, `.${bm.month}.partial-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const files: ManifestFile[] = [];
    const put = (name: string, data: Buffer, meta: Omit<ManifestFile, 'path' | 'bytes' | 'sha256'>) => {
      writeFileSync(join(work, name), data);
      files.push({ path: name, format: meta.format, bytes: data.length, sha256: sha256(data), report: meta.report, rows: meta.rows, pages: meta.pages, deterministic: meta.deterministic });
    };
    for (const r of reports) {
      progress(`writing ${r.template.id}`);
      const xlsxName = `${r.tables[0]!.spec.file}.xlsx`;
      put(xlsxName, await reportXlsx(r, ctx), { format: 'xlsx', report: r.template.id, rows: r.tables.reduce((a, t) => a + t.rows.length, 0), pages: null, deterministic: true });
      for (const t of r.tables) put(`${t.spec.file}.csv`, tableCsv(t), { format: 'csv', report: r.template.id, rows: t.rows.length, pages: null, deterministic: true });
    }
    const defs = await metricDefinitionsHash(wh);
    const extracts = await sourceExtracts(wh, bm.asOfDate);
    const browser = options.chromiumPath ?? chromiumPath();
    const missing = options.pdf === 'optional' ? chromiumMissing(browser) : undefined;
    const pdfSkipped = missing
      ? {
          reason: `${missing}, so the PDF was not printed; the XLSX and CSV files are complete.`,
          fix: options.pdfFix ?? `${CHROMIUM_INSTALL_COMMAND} && npm run export -- --month ${bm.month}`,
        }
      : undefined;
    if (pdfSkipped) progress(`PDF skipped: ${pdfSkipped.reason} Add it: ${pdfSkipped.fix}`);
    if (options.pdf !== false && !pdfSkipped) {
      progress('printing the PDF');
      const html = packageHtml(reports, ctx, {
        files: [...files],
        metricDefinitionsSha256: defs.sha256,
        metrics: defs.metrics,
        sourceExtracts: extracts.length,
        generatedAtSource: run.source,
      });
      const printed = await printPdf(html, { headerTemplate: pdfHeaderTemplate(ctx), footerTemplate: pdfFooterTemplate(ctx), executablePath: browser });
      const pdf = normalisePdf(printed, { date: ctx.generatedAt });
      put(PDF_NAME, pdf, { format: 'pdf', report: null, rows: null, pages: pdfPageCount(pdf), deterministic: true });
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const [through] = await wh.all<{ d: string | null }>(`SELECT strftime(max(business_date), '%Y-%m-%d') AS d FROM ops.load_audit`);
    const manifest: Manifest = {
      manifest_version: MANIFEST_VERSION,
      package: 'credit-quality regulator export',
      business_month: bm.month,
      as_of_date: bm.asOfDate,
      run_id: run.runId,
      generated_at: run.generatedAt,
      generated_at_source: run.source,
      warehouse_loaded_through: through?.d ?? null,
      masking: ctx.unmasked
        ? { id_numbers: 'none', individual_names: 'none', unmasked: true }
        : { id_numbers: 'last4', individual_names: 'first_character', unmasked: false },
      metric_definitions: defs,
      policy_files: await policyFilesOf(wh),
      amounts: { currency: amounts.currency, unit_zh: amounts.unit.zh, unit_en: amounts.unit.en, conversions: amounts.conversions },
      reports: reports.map((r) => ({
        id: r.template.id,
        kind: r.template.kind,
        title_zh: r.template.title_zh,
        title_en: r.template.title_en,
        template: r.template.path,
        template_sha256: r.template.sha256,
        tables: r.tables.map((t) => ({ id: t.spec.id, file: t.spec.file, rows: t.rows.length, data_rows: t.rows.filter((x) => x.kind === 'data').length })),
      })),
      files,
      package_sha256: packageSha256(files),
      ...(pdfSkipped ? { pdf_skipped: pdfSkipped } : {}),
      source_extracts: extracts,
      institution: { name_zh: submission.institution.nameZh, name_en: submission.institution.nameEn, code: submission.institution.code },
      validation: { rules_file: relativeRules(options.rulesFile), rules: loadValidationRules(options.rulesFile).map((r) => r.id), passed: true },
      provenance: reports.map((r) => ({ report: r.template.id, template: r.template.path, form_ref: r.template.form_ref ?? null, sources: SOURCES[r.template.kind] })),
      sign_off: {
        status: submission.draft ? 'draft' : 'final',
        prepared_by: submission.preparedBy || null,
        reviewed_by: submission.reviewedBy || null,
        approved_by: submission.approvedBy || null,
        signed_off_by: submission.approvedBy || submission.reviewedBy || null,
        submitted_on: submission.submittedOn,
        statement:
          'package_sha256 identifies every file of this package; `npm run export -- --verify <folder>` re-hashes the files and fails if any changed.',
      },
      determinism:
        'XLSX, CSV, the PDF and manifest.json are byte-identical when the same month is exported again from the same warehouse with the same options and the same Chromium build and fonts (the PDF carries generated_at as its dates and fixed producer/creator texts).',
    };
    writeFileSync(join(work, MANIFEST_NAME), manifestText(manifest));

    const old = join(root, `.${bm.month}.old-${process.pid}`);
    rmSync(old, { recursive: true, force: true });
    const hadOld = existsSync(finalDir);
    if (hadOld) renameSync(finalDir, old);
    try {
      renameSync(work, finalDir);
    } catch (e) {
      if (hadOld) renameSync(old, finalDir);
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
    return { dir: finalDir, manifest, fileCount: files.length + 1, ...(pdfSkipped ? { pdfSkipped } : {}) };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    if (isCqError(e)) throw e;
    throw new CqError('EXPORT_FAILED', `exporting ${bm.month} to ${finalDir} failed: ${(e as Error).message}`, { file: finalDir }, { cause: e });
  }
}

/**
 * A template with the amount placeholders of its texts (`{amount_unit_zh}`, `{amount_unit_en}`,
 * `{amount_currency}`) replaced by the package's currency and unit; path and SHA-256 unchanged.
 *
 * @example
 * withUnitLabels(template, amounts).tables[0].notes_zh[0]; // '金额单位：万元，保留两位小数；…'
 */
function withUnitLabels(t: ReportTemplate, amounts: AmountCurrency): ReportTemplate {
  const map = (v: unknown): unknown =>
    typeof v === 'string' ? withAmountUnit(v, amounts) : Array.isArray(v) ? v.map(map) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(x)])) : v;
  return { ...(map(t) as ReportTemplate), path: t.path, sha256: t.sha256 };
}

/**
 * The nightly job's entry point: opens the (closed, checkpointed) warehouse read-only and
 * writes one package per month into `<outDir>/<YYYY-MM>/`, stamped with the run id. `pdf`,
 * `pdfFix`, `rejectLimits`, `configFile`, `institution` and `signatories` are passed to {@link exportPackage}.
 *
 * @example
 * const { files } = await exportMonths({ warehouse: 'data/releases/x/warehouse.duckdb', outDir: 'data/releases/x/exports', runId: 'x', months: ['2026-10'] });
 */
export async function exportMonths(
  o: { warehouse: string; outDir: string; runId: string; months: string[] } & Pick<ExportOptions, 'pdf' | 'pdfFix' | 'rejectLimits' | 'configFile' | 'institution' | 'signatories'>,
): Promise<{ files: number; pdfSkipped?: { month: string; reason: string; fix: string }[] }> {
  if (!existsSync(o.warehouse)) throw new CqError('WAREHOUSE_MISSING', `${o.warehouse}: no such warehouse.`, { file: o.warehouse });
  const wh = await openWarehouse(o.warehouse, { readOnly: true });
  try {
    let files = 0;
    const skipped: { month: string; reason: string; fix: string }[] = [];
    for (const month of [...new Set(o.months)].sort()) {
      const r = await exportPackage(wh, {
        month,
        outDir: o.outDir,
        runId: o.runId,
        ...(o.pdf !== undefined ? { pdf: o.pdf } : {}),
        ...(o.pdfFix ? { pdfFix: o.pdfFix } : {}),
        ...(o.rejectLimits ? { rejectLimits: o.rejectLimits } : {}),
        ...(o.configFile ? { configFile: o.configFile } : {}),
        ...(o.institution ? { institution: o.institution } : {}),
        ...(o.signatories ? { signatories: o.signatories } : {}),
      });
      files += r.fileCount;
      if (r.pdfSkipped) skipped.push({ month, ...r.pdfSkipped });
    }
    return { files, ...(skipped.length ? { pdfSkipped: skipped } : {}) };
  } finally {
    await wh.close();
  }
}

/** Warehouse tables each report kind reads (provenance, recorded in the manifest instead of on the forms). */
const SOURCES: Record<ReportKind, string[]> = {
  five_category: ['core.fct_loan_month_ends', 'staging.stg_lender__customers', 'metrics.kpi_values'],
  class_migration: ['marts.mart_credit__class_migrations', 'core.fct_loan_month_ends', 'metrics.kpi_values'],
  npl_provisioning: ['metrics.kpi_values', 'marts.mart_risk__npl_movements'],
  kpi_report: ['metrics.kpi_values', 'metrics.metric_catalog'],
  large_exposures: ['core.fct_loan_month_ends', 'staging.stg_lender__customers', 'metrics.kpi_values'],
};

function relativeRules(file?: string): string {
  const f = file ?? VALIDATION_RULES_FILE;
  const r = relPath(REPO_ROOT, f);
  return r.startsWith('..') ? f : r;
}
