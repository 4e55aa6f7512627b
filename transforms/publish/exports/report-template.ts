import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CqError } from '../../lib/errors.js';
import { REPO_ROOT } from '../../lib/repo-root.js';


/** Where report templates live: `policy/reports/*.yaml`. */
export const REPORTS_DIR = join(REPO_ROOT, 'policy', 'reports');

/**
 * How a cell is written:
 * - `text`: as is;
 * - `int`: whole number (`#,##0`);
 * - `wan`: money in 10,000s of the reporting currency (万元 for CNY; label from the warehouse,
 *   see amount-currency.ts) with 2 decimals; the builder supplies whole 0.01 万元
 *   units (bigint) after controlled rounding, so displayed totals add up;
 * - `ratio`: a fraction shown as a percentage (`0.00%`); the CSV keeps the fraction;
 * - `number`: a plain number (`#,##0.00`);
 * - `kpi`: as the row's KPI is displayed on the report site (metric catalogue `display_format`,
 *   `display_decimals`: NPL ratio `2.31%`, AUC `0.857`, lead time `70.0`); the CSV keeps the value;
 * - `by_row`: by the row's own format (line-item reports whose lines mix money and ratios);
 * - `change`: a change, by the row's own format, except that changes of ratios are in
 *   percentage points ("+0.12 个百分点 pp");
 * - `month`: `YYYY-MM`; `rag`: a status code printed with the words of STATUS_LABELS ("达标 On target"), coloured in XLSX and PDF.
 */
export type CellFormat = 'text' | 'int' | 'wan' | 'ratio' | 'number' | 'kpi' | 'by_row' | 'change' | 'month' | 'rag';

/** Cell formats a line or row may carry for `by_row` columns. */
export type RowFormat = 'int' | 'wan' | 'ratio' | 'number' | 'kpi' | 'text';

const FORMATS: readonly CellFormat[] = ['text', 'int', 'wan', 'ratio', 'number', 'kpi', 'by_row', 'change', 'month', 'rag'];
const ROW_FORMATS: readonly RowFormat[] = ['int', 'wan', 'ratio', 'number', 'kpi', 'text'];

/** One column of a table: which field of the builder's rows, its headers and format. */
export interface ColumnSpec {
  field: string;
  header_zh: string;
  header_en: string;
  format: CellFormat;
  /** Column width in characters (XLSX). Default from the format. */
  width?: number;
}

/** Row selector of a five-category section: a loan goes to the first row whose `match` fits. */
export interface RowMatch {
  product_id?: string[];
  branch_id?: string[];
  customer_type?: string[];
  industry?: string[];
}

/** A fixed row of a five-category section. `match: other` takes every loan no earlier row took. */
export interface SectionRowSpec {
  code: string;
  label_zh: string;
  label_en: string;
  match: RowMatch | 'other';
}

/** A block of rows of the five-category table; each block partitions the whole book. */
export interface SectionSpec {
  id: string;
  label_zh: string;
  label_en: string;
  /** One row per value of this attribute (labels from the core dimension where there is one). */
  rows_from?: 'product_id' | 'branch_id' | 'customer_type';
  rows?: SectionRowSpec[];
}

/** A line of a line-item report (NPL and provisioning). */
export interface LineSpec {
  /** Row id for validation rules (e.g. `npl_balance`). */
  id?: string;
  /** Published figure a money line shows, e.g. `npl` / `balance` / `provision` (of the whole book): the same figure as in other forms. */
  figure?: string;
  label_zh: string;
  label_en: string;
  /** A heading line without values. */
  heading?: boolean;
  /** KPI whose whole-book row supplies the value (`metrics.kpi_<metric>`). */
  metric?: string;
  /** Which KPI column: value (default), numerator, denominator or target. */
  value?: 'value' | 'numerator' | 'denominator' | 'target';
  /** NPL movement (`marts.mart_risk__npl_movements`, whole book). */
  movement?: string;
  /** Which movement column: balance (default) or loans. */
  measure?: 'balance' | 'loans';
  format?: RowFormat;
}

/** One table of a report: one XLSX worksheet, one CSV file, one block in the PDF. */
export interface TableSpec {
  id: string;
  title_zh: string;
  title_en: string;
  /** Which row set of the builder fills the table (builder-specific; e.g. `values`). */
  source: string;
  /** File name stem for the XLSX / CSV of this table. */
  file: string;
  /** Label columns kept in view when scrolling right (XLSX frozen panes). Default 1. */
  freeze_columns: number;
  columns: ColumnSpec[];
  /** five_category: the row blocks. */
  sections?: SectionSpec[];
  /** line_items: the lines. */
  lines?: LineSpec[];
  /** Notes printed under the table (PDF, XLSX). */
  notes_zh?: string[];
  notes_en?: string[];
}

/** Builders that can fill a template. */
export type ReportKind = 'five_category' | 'class_migration' | 'npl_provisioning' | 'kpi_report' | 'large_exposures';
const KINDS: readonly ReportKind[] = ['five_category', 'class_migration', 'npl_provisioning', 'kpi_report', 'large_exposures'];

/** A report template (one `policy/reports/*.yaml`), validated. */
export interface ReportTemplate {
  id: string;
  kind: ReportKind;
  /** Order in the package and the PDF. */
  order: number;
  title_zh: string;
  title_en: string;
  /** Regulatory form the layout follows, if any (shown under the title). */
  form_ref?: string;
  /** PDF page orientation of this report. */
  orientation: 'portrait' | 'landscape';
  /** Builder options (e.g. `months_back`, `top_n`, `npl_ratio_metric`). */
  options: Record<string, unknown>;
  tables: TableSpec[];
  /** Path relative to the repository root (or absolute when outside it). */
  path: string;
  /** SHA-256 of the template file bytes (recorded in the manifest). */
  sha256: string;
}

function fail(file: string, key: string, why: string): never {
  throw new CqError('EXPORT_FAILED', `${file}: ${key} ${why} Fix the report template (see docs/exports.md).`, { file, key });
}

function str(v: unknown, file: string, key: string): string {
  if (typeof v !== 'string' || v.trim() === '') fail(file, key, 'must be a non-empty string.');
  return v;
}

function optStrList(v: unknown, file: string, key: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(file, key, 'must be a list of strings.');
  return v as string[];
}

function obj(v: unknown, file: string, key: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(file, key, 'must be a mapping.');
  return v as Record<string, unknown>;
}

function list(v: unknown, file: string, key: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0) fail(file, key, 'must be a non-empty list.');
  return v;
}

function parseColumn(raw: unknown, file: string, key: string): ColumnSpec {
  const c = obj(raw, file, key);
  const format = (c.format ?? 'text') as CellFormat;
  if (!FORMATS.includes(format)) fail(file, `${key}.format`, `must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(c.format)}.`);
  if (c.width !== undefined && (typeof c.width !== 'number' || c.width <= 0)) fail(file, `${key}.width`, 'must be a positive number.');
  return {
    field: str(c.field, file, `${key}.field`),
    header_zh: str(c.header_zh, file, `${key}.header_zh`),
    header_en: str(c.header_en, file, `${key}.header_en`),
    format,
    ...(typeof c.width === 'number' ? { width: c.width } : {}),
  };
}

function parseSection(raw: unknown, file: string, key: string): SectionSpec {
  const s = obj(raw, file, key);
  const out: SectionSpec = { id: str(s.id, file, `${key}.id`), label_zh: str(s.label_zh, file, `${key}.label_zh`), label_en: str(s.label_en, file, `${key}.label_en`) };
  if (s.rows_from !== undefined) {
    if (!['product_id', 'branch_id', 'customer_type'].includes(s.rows_from as string)) fail(file, `${key}.rows_from`, 'must be product_id, branch_id or customer_type.');
    out.rows_from = s.rows_from as SectionSpec['rows_from'];
  }
  if (s.rows !== undefined) {
    out.rows = list(s.rows, file, `${key}.rows`).map((r, i) => {
      const rk = `${key}.rows[${i}]`;
      const row = obj(r, file, rk);
      let match: SectionRowSpec['match'];
      if (row.match === 'other') match = 'other';
      else {
        const m = obj(row.match, file, `${rk}.match`);
        const known = ['product_id', 'branch_id', 'customer_type', 'industry'];
        for (const k of Object.keys(m)) if (!known.includes(k)) fail(file, `${rk}.match.${k}`, `is not a known attribute (${known.join(', ')}).`);
        match = {};
        for (const k of known) {
          const v = m[k];
          if (v === undefined) continue;
          const vals = typeof v === 'string' ? [v] : optStrList(v, file, `${rk}.match.${k}`)!;
          match[k as keyof RowMatch] = vals;
        }
        if (Object.keys(match).length === 0) fail(file, `${rk}.match`, 'must name at least one attribute, or be "other".');
      }
      return { code: String(row.code ?? i + 1), label_zh: str(row.label_zh, file, `${rk}.label_zh`), label_en: str(row.label_en, file, `${rk}.label_en`), match };
    });
  }
  if ((out.rows === undefined) === (out.rows_from === undefined)) fail(file, key, 'needs exactly one of rows_from or rows.');
  return out;
}

function parseLine(raw: unknown, file: string, key: string): LineSpec {
  const l = obj(raw, file, key);
  const line: LineSpec = { label_zh: str(l.label_zh, file, `${key}.label_zh`), label_en: str(l.label_en, file, `${key}.label_en`) };
  if (l.id !== undefined) line.id = str(l.id, file, `${key}.id`);
  if (l.figure !== undefined) line.figure = str(l.figure, file, `${key}.figure`);
  if (l.heading === true) return { ...line, heading: true };
  if ((l.metric === undefined) === (l.movement === undefined)) fail(file, key, 'needs exactly one of metric or movement (or heading: true).');
  if (l.metric !== undefined) {
    line.metric = str(l.metric, file, `${key}.metric`);
    const v = l.value ?? 'value';
    if (!['value', 'numerator', 'denominator', 'target'].includes(v as string)) fail(file, `${key}.value`, 'must be value, numerator, denominator or target.');
    line.value = v as LineSpec['value'];
  } else {
    line.movement = str(l.movement, file, `${key}.movement`);
    const m = l.measure ?? 'balance';
    if (m !== 'balance' && m !== 'loans') fail(file, `${key}.measure`, 'must be balance or loans.');
    line.measure = m;
  }
  const f = (l.format ?? (line.measure === 'loans' ? 'int' : 'wan')) as RowFormat;
  if (!ROW_FORMATS.includes(f)) fail(file, `${key}.format`, `must be one of ${ROW_FORMATS.join(', ')}.`);
  line.format = f;
  return line;
}

/**
 * Parses and validates one report template (YAML text). Errors name the file and key.
 *
 * @example
 * const t = parseReportTemplate(readFileSync('policy/reports/five-category.yaml', 'utf8'), 'policy/reports/five-category.yaml');
 * t.tables[0].columns.length; // 17
 */
export function parseReportTemplate(text: string, file: string): ReportTemplate {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new CqError('EXPORT_FAILED', `${file}: not valid YAML (${(e as Error).message}).`, { file }, { cause: e });
  }
  const t = obj(doc, file, '(document)');
  const id = str(t.id, file, 'id');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) fail(file, 'id', 'must be lower-case letters, digits and dashes (it names the files).');
  const kind = t.kind as ReportKind;
  if (!KINDS.includes(kind)) fail(file, 'kind', `must be one of ${KINDS.join(', ')}.`);
  const orientation = (t.orientation ?? 'portrait') as ReportTemplate['orientation'];
  if (orientation !== 'portrait' && orientation !== 'landscape') fail(file, 'orientation', 'must be portrait or landscape.');
  const tables = list(t.tables, file, 'tables').map((raw, i): TableSpec => {
    const key = `tables[${i}]`;
    const tb = obj(raw, file, key);
    const tid = str(tb.id, file, `${key}.id`);
    const freeze = tb.freeze_columns ?? 1;
    if (!Number.isInteger(freeze) || (freeze as number) < 0) fail(file, `${key}.freeze_columns`, 'must be a whole number ≥ 0.');
    const fileStem = (tb.file ?? (i === 0 ? id : `${id}-${tid}`)) as string;
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(fileStem)) fail(file, `${key}.file`, 'must be lower-case letters, digits, dots and dashes.');
    const spec: TableSpec = {
      id: tid,
      title_zh: str(tb.title_zh, file, `${key}.title_zh`),
      title_en: str(tb.title_en, file, `${key}.title_en`),
      source: str(tb.source, file, `${key}.source`),
      file: fileStem,
      freeze_columns: freeze as number,
      columns: list(tb.columns, file, `${key}.columns`).map((c, j) => parseColumn(c, file, `${key}.columns[${j}]`)),
    };
    if (tb.sections !== undefined) spec.sections = list(tb.sections, file, `${key}.sections`).map((s, j) => parseSection(s, file, `${key}.sections[${j}]`));
    if (tb.lines !== undefined) spec.lines = list(tb.lines, file, `${key}.lines`).map((l, j) => parseLine(l, file, `${key}.lines[${j}]`));
    const nz = optStrList(tb.notes_zh, file, `${key}.notes_zh`);
    const ne = optStrList(tb.notes_en, file, `${key}.notes_en`);
    if (nz) spec.notes_zh = nz;
    if (ne) spec.notes_en = ne;
    return spec;
  });
  const stems = new Set<string>();
  for (const tb of tables) {
    if (stems.has(tb.file)) fail(file, 'tables', `use the file name "${tb.file}" twice.`);
    stems.add(tb.file);
  }
  const known = new Set(['id', 'kind', 'order', 'title_zh', 'title_en', 'form_ref', 'orientation', 'options', 'tables']);
  for (const k of Object.keys(t)) if (!known.has(k)) fail(file, k, `is not a known key (${[...known].join(', ')}).`);
  if (t.order !== undefined && !Number.isInteger(t.order)) fail(file, 'order', 'must be a whole number.');
  return {
    id,
    kind,
    order: (t.order as number | undefined) ?? 100,
    title_zh: str(t.title_zh, file, 'title_zh'),
    title_en: str(t.title_en, file, 'title_en'),
    ...(t.form_ref !== undefined ? { form_ref: str(t.form_ref, file, 'form_ref') } : {}),
    orientation,
    options: t.options === undefined ? {} : obj(t.options, file, 'options'),
    tables,
    path: file,
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

/**
 * Loads every report template of a folder (`*.yaml`, sorted by `order`, then id). Ids must be
 * unique; file names of all tables across the package must be unique.
 *
 * @example
 * const templates = loadReportTemplates(); // policy/reports/*.yaml
 */
export function loadReportTemplates(dir: string = REPORTS_DIR): ReportTemplate[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  } catch (e) {
    throw new CqError('EXPORT_FAILED', `${dir}: cannot read the report templates folder (${(e as Error).message}).`, { file: dir }, { cause: e });
  }
  if (files.length === 0) throw new CqError('EXPORT_FAILED', `${dir}: no report templates (*.yaml). Fix: restore policy/reports/ (see docs/exports.md).`, { file: dir });
  const templates = files.map((f) => {
    const abs = join(dir, f);
    const rel = relative(REPO_ROOT, abs);
    return parseReportTemplate(readFileSync(abs, 'utf8'), rel.startsWith('..') ? abs : rel);
  });
  const ids = new Map<string, string>();
  const stems = new Map<string, string>();
  for (const t of templates) {
    if (ids.has(t.id)) throw new CqError('EXPORT_FAILED', `${t.path}: report id "${t.id}" is also used by ${ids.get(t.id)}.`, { file: t.path, key: 'id' });
    ids.set(t.id, t.path);
    for (const tb of t.tables) {
      if (stems.has(tb.file)) throw new CqError('EXPORT_FAILED', `${t.path}: file name "${tb.file}" is also used by ${stems.get(tb.file)}.`, { file: t.path, key: 'file' });
      stems.set(tb.file, t.path);
    }
  }
  return templates.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

/** Reads a numeric builder option with a default. @example numberOption(t, 'top_n', 20) */
export function numberOption(t: ReportTemplate, key: string, fallback: number): number {
  const v = t.options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(t.path, `options.${key}`, 'must be a whole number ≥ 0.');
  return v;
}

/** Reads a string builder option with a default. @example stringOption(t, 'npl_ratio_metric', 'npl_ratio') */
export function stringOption(t: ReportTemplate, key: string, fallback: string): string {
  const v = t.options[key];
  if (v === undefined) return fallback;
  return str(v, t.path, `options.${key}`);
}

/** Throws EXPORT_FAILED naming the template and key. @example templateError(t, 'tables[0].source', 'must be values.') */
export function templateError(t: Pick<ReportTemplate, 'path'>, key: string, why: string): never {
  fail(t.path, key, why);
}
