import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvField, UTF8_BOM } from '../lib/csv.js';
import { quoteIdent, quoteLiteral as lit } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { canonicalNumber, type KpiRowSnapshot } from './month-kpi-snapshot.js';
import type { MonthCloseEvent } from './close-ledger.js';

/** One KPI row of a closed month whose figures a night changed. */
export interface KpiRowChange {
  metric_id: string;
  slice: string;
  slice_value: string;
  /** null: the row did not exist at the close (a new slice value). */
  old: KpiRowSnapshot | null;
  /** null: the row is gone from the new build. */
  new: KpiRowSnapshot | null;
}

/** An extract row loaded after the close that may have caused a change. */
export interface SourceRow {
  entity: string;
  file: string;
  line: number;
  business_date: string;
  load_id: string;
}

/** Extract rows listed in a report at most (the rest are counted). */
export const SOURCE_ROWS_LISTED = 50;

/**
 * The extract rows loaded after `close` (their load started after `closed_at`, per
 * ops.load_audit) with a business date in or after the closed month. With `published` (the
 * schema name of the live release's warehouse, ATTACHed read-only), rows identical on every
 * column to a row of the same business date there are dropped: a release published since the
 * close had the closed figures, so only rows that differ from it can have moved them. When
 * branches or products changed, rows of entities that carry a branch_id / product_id (or a
 * loan_id of such a loan in raw.loans) are kept only for those; entities without either are all
 * listed. At most `limit` rows (by business date, entity, file, line), with the total.
 *
 * @example
 * await sourceRowsAfterClose(wh, close, changes, 'published_release');
 * // per raw table with a loan_id:
 * // SELECT 'loan_balances' AS entity, _source_file AS file, _source_line AS line, … FROM raw.loan_balances r
 * // WHERE _business_date >= DATE '2026-08-01' AND _load_id IN (SELECT load_id FROM ops.load_audit WHERE started_at > TIMESTAMP '2026-09-02 08:00:00')
 * //   AND hash(r._business_date, r.as_of_date, r.loan_id, …) NOT IN (SELECT hash(p._business_date, p.as_of_date, p.loan_id, …)
 * //     FROM published_release.raw.loan_balances p WHERE p._business_date >= DATE '2026-08-01')
 * //   AND (r.loan_id IN (SELECT loan_id FROM raw.loans WHERE branch_id IN ('BJ01') OR product_id IN (NULL)))
 */
export async function sourceRowsAfterClose(
  wh: WarehouseHandle,
  close: Pick<MonthCloseEvent, 'month' | 'closed_at'>,
  changes: readonly KpiRowChange[],
  published?: string,
  limit = SOURCE_ROWS_LISTED,
): Promise<{ rows: SourceRow[]; total: number }> {
  const branches = [...new Set(changes.filter((c) => c.slice === 'branch').map((c) => c.slice_value))];
  const products = [...new Set(changes.filter((c) => c.slice === 'product').map((c) => c.slice_value))];
  const sliced = branches.length + products.length > 0;
  const inList = (xs: string[]) => `(${xs.length ? xs.map(lit).join(', ') : 'NULL'})`;
  const cols = await wh.all<{ t: string; c: string }>(
    `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'raw' ORDER BY table_name, ordinal_position`,
  );
  const tables = new Map<string, Set<string>>();
  for (const { t, c } of cols) (tables.get(t) ?? tables.set(t, new Set()).get(t)!).add(c);
  const pubTables = new Map<string, Set<string>>();
  if (published) {
    const pc = await wh.all<{ t: string; c: string }>(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_catalog = ${lit(published)} AND table_schema = 'raw'`,
    );
    for (const { t, c } of pc) (pubTables.get(t) ?? pubTables.set(t, new Set()).get(t)!).add(c);
  }
  const monthStart = `DATE ${lit(`${close.month}-01`)}`;
  const since = `TIMESTAMP ${lit(close.closed_at.replace('T', ' ').replace('Z', ''))}`;
  const parts: string[] = [];
  for (const [t, c] of tables) {
    if (!c.has('_load_id') || !c.has('_source_line')) continue;
    const filters: string[] = [];
    const pub = pubTables.get(t);
    if (pub) {
      const same = [...c].filter((x) => pub.has(x) && (x === '_business_date' || !x.startsWith('_'))).map(quoteIdent);
      filters.push(
        `hash(${same.map((x) => `r.${x}`).join(', ')}) NOT IN (SELECT hash(${same.map((x) => `p.${x}`).join(', ')}) FROM ${quoteIdent(published!)}.raw.${quoteIdent(t)} p WHERE p._business_date >= ${monthStart})`,
      );
    }
    if (sliced) {
      if (c.has('branch_id') || c.has('product_id')) {
        filters.push([c.has('branch_id') ? `r.branch_id IN ${inList(branches)}` : 'false', c.has('product_id') ? `r.product_id IN ${inList(products)}` : 'false'].join(' OR '));
      } else if (c.has('loan_id') && tables.get('loans')?.has('branch_id')) {
        filters.push(`r.loan_id IN (SELECT loan_id FROM raw.loans WHERE branch_id IN ${inList(branches)} OR product_id IN ${inList(products)})`);
      }
    }
    parts.push(
      `SELECT ${lit(t)} AS entity, _source_file AS file, _source_line::BIGINT AS line, strftime(_business_date, '%Y-%m-%d') AS business_date, _load_id AS load_id
       FROM raw.${quoteIdent(t)} r
       WHERE _business_date >= ${monthStart} AND _load_id IN (SELECT load_id FROM ops.load_audit WHERE started_at > ${since})
       ${filters.map((f) => `AND (${f})`).join(' ')}`,
    );
  }
  if (!parts.length) return { rows: [], total: 0 };
  const all = parts.join('\nUNION ALL\n');
  const [count] = await wh.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (${all}) AS src`);
  const rows = await wh.all<SourceRow>(`SELECT entity, file, line::INTEGER AS line, business_date, load_id FROM (${all}) AS src ORDER BY business_date, entity, file, line LIMIT ${limit}`);
  return { rows, total: count?.n ?? rows.length };
}

/**
 * Writes the restatement report of one closed month: `<dir>/<month>-<runId>.md` (what changed,
 * old and new values, the extract rows loaded since the close, capped) and
 * `<dir>/<month>-<runId>.csv` (the changed KPI rows, one per line, UTF-8 with BOM). Returns both
 * paths. No personal data: KPI figures, slice codes and labels, and file names with line numbers.
 *
 * @example
 * writeRestatementReport('data/restatements', { runId, close, changes, sources, restate: undefined, names, labels });
 * // → { markdown: 'data/restatements/2026-08-R20261031T023000-4242.md', csv: '….csv' }
 */
export function writeRestatementReport(
  dir: string,
  r: {
    runId: string;
    close: MonthCloseEvent;
    changes: readonly KpiRowChange[];
    sources: { rows: SourceRow[]; total: number };
    restate?: { by: string; reason: string } | undefined;
    /** metric id → 'name_zh name_en'. */
    names: ReadonlyMap<string, string>;
    /** 'slice|slice_value' → label. */
    labels: ReadonlyMap<string, string>;
  },
): { markdown: string; csv: string } {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${r.close.month}-${r.runId}`);
  const { close, changes, sources } = r;
  const label = (c: KpiRowChange) => r.labels.get(`${c.slice}|${c.slice_value}`) ?? c.slice_value;
  const v = (s: KpiRowSnapshot | null, k: 'value' | 'numerator' | 'denominator') => (s ? canonicalNumber(s[k]) : '');
  const st = (s: KpiRowSnapshot | null) => (s ? (s.status ?? '') : '(none)');
  const md: string[] = [
    `# 重述报告 Restatement report — ${close.month}`,
    '',
    `- 结账 Closed: close #${close.close_no} by ${close.closed_by} at ${close.closed_at} (KPI hash ${close.kpi_hash.slice(0, 16)}…, ${close.kpi_rows} rows, load ${close.load_id ?? '—'})`,
    `- 夜间运行 Night: ${r.runId}`,
    r.restate
      ? `- 已重述 Restated by ${r.restate.by}: ${r.restate.reason}`
      : `- 未发布 Not published: the night refused to publish (CLOSED_MONTH_CHANGED). Check the rows below; to publish, run the night again with \`--restate --by NAME --reason TEXT\`.`,
    `- 变动 Changed: ${changes.length} KPI row(s) of ${new Set(changes.map((c) => c.metric_id)).size} KPI(s)`,
    '',
    '## 变动的指标 Changed KPIs',
    '',
    '| KPI | slice | slice value | old status | new status | old value | new value | old numerator | new numerator | old denominator | new denominator |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...changes.map(
      (c) =>
        `| ${c.metric_id} (${r.names.get(c.metric_id) ?? ''}) | ${c.slice} | ${c.slice_value}${label(c) !== c.slice_value ? ` ${label(c)}` : ''} | ${st(c.old)} | ${st(c.new)} | ${v(c.old, 'value')} | ${v(c.new, 'value')} | ${v(c.old, 'numerator')} | ${v(c.new, 'numerator')} | ${v(c.old, 'denominator')} | ${v(c.new, 'denominator')} |`,
    ),
    '',
    '## 结账后加载的源数据行 Extract rows loaded after the close',
    '',
    `Rows of a business date in or after ${close.month} whose load started after the close and that differ from the release published before this night${
      changes.some((c) => c.slice === 'branch' || c.slice === 'product') ? ', of the changed branches / products (entities without a branch, product or loan: all rows)' : ''
    }.`,
    '',
    '| file | line | entity | business date | load |',
    '|---|---|---|---|---|',
    ...sources.rows.map((s) => `| ${s.file} | ${s.line} | ${s.entity} | ${s.business_date} | ${s.load_id} |`),
    ...(sources.total > sources.rows.length ? ['', `… and ${sources.total - sources.rows.length} more row(s) (${sources.total} in all).`] : []),
    ...(sources.total === 0 ? ['', 'None: the change comes from the build itself (policy, a model or a KPI definition changed), not from a load.'] : []),
    '',
  ];
  const header = ['month', 'metric_id', 'kpi_name', 'slice', 'slice_value', 'slice_label', 'old_status', 'new_status', 'old_value', 'new_value', 'old_numerator', 'new_numerator', 'old_denominator', 'new_denominator'];
  const csv = [
    header.join(','),
    ...changes.map((c) =>
      [
        csvField(close.month),
        csvField(c.metric_id, true),
        csvField(r.names.get(c.metric_id) ?? '', true),
        csvField(c.slice, true),
        csvField(c.slice_value, true),
        csvField(label(c), true),
        csvField(c.old ? (c.old.status ?? '') : '', true),
        csvField(c.new ? (c.new.status ?? '') : '', true),
        v(c.old, 'value'),
        v(c.new, 'value'),
        v(c.old, 'numerator'),
        v(c.new, 'numerator'),
        v(c.old, 'denominator'),
        v(c.new, 'denominator'),
      ].join(','),
    ),
  ];
  writeFileSync(`${base}.md`, md.join('\n'));
  writeFileSync(`${base}.csv`, `${UTF8_BOM}${csv.join('\r\n')}\r\n`);
  return { markdown: `${base}.md`, csv: `${base}.csv` };
}
