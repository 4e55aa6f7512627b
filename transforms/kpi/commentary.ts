import { quoteLiteral as lit } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { UNATTRIBUTED } from './contributions.js';
import { displayOf, formatKpiValue, shownKpiValue, type MetricDefinition, type MetricDisplay } from './metric.js';

/** One sentence of `metrics.kpi_commentary`. */
export interface CommentaryRow {
  as_of_month: string;
  seq: number;
  /** 'balances' for the balance sentence, else the KPI's id. */
  topic: string;
  metric_id: string | null;
  /** Whom it speaks of: 'all' (whole bank) or 'branch'. */
  slice: 'all' | 'branch';
  slice_value: string;
  text_zh: string;
  text_en: string;
}

type CommentaryMetric = Pick<MetricDefinition, 'id' | 'nameZh' | 'nameEn' | 'unit' | 'display' | 'formula' | 'sortOrder'>;

const num = (v: number, decimals: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: true }).format(v);
/** Signed with a "+" (and −0.00 shown as 0.00). */
const signed = (v: number, decimals: number) => {
  const t = num(Math.abs(v), decimals);
  return Number(t.replace(/,/g, '')) === 0 ? t : `${v > 0 ? '+' : '−'}${t}`;
};
/** Yuan → 万元 text, 2 decimals. */
export const wan = (yuan: number) => num(yuan / 1e4, 2);
/** Yuan → 亿元 text, 2 decimals. */
export const yi = (yuan: number) => num(yuan / 1e8, 2);

/** A change of a KPI in its display unit: percentage points for a percent, the plain difference otherwise. */
function changeText(delta: number, d: MetricDisplay): { text: string; zero: boolean; zhUnit: string; enUnit: string } {
  const v = d.format === 'percent' ? delta * 100 : delta;
  const text = num(Math.abs(v), d.decimals);
  return { text, zero: Number(text.replace(/,/g, '')) === 0, zhUnit: d.format === 'percent' ? ' 个百分点' : '', enUnit: d.format === 'percent' ? ' pp' : '' };
}

const signedChange = (delta: number, d: MetricDisplay) => {
  const c = changeText(delta, d);
  return { zh: `${c.zero ? '' : delta > 0 ? '+' : '−'}${c.text}${c.zhUnit}`, en: `${c.zero ? '' : delta > 0 ? '+' : '−'}${c.text}${c.enUnit}`, zero: c.zero };
};

const moveZh = (yuan: number) => (Math.abs(yuan) < 50 ? '持平' : `${yuan > 0 ? '增加' : '减少'} ${wan(Math.abs(yuan))} 万元`);
const moveEn = (yuan: number) => (Math.abs(yuan) < 50 ? 'flat' : `${yuan > 0 ? 'up' : 'down'} ${wan(Math.abs(yuan))} 万元 (CNY 10k)`);

interface BalanceRow {
  as_of_month: string;
  balance: number;
  npl_balance: number;
  provision_amount: number;
  m1_balance: number | null;
  m1_npl: number | null;
  ys_balance: number | null;
  ys_npl: number | null;
}

interface KpiRow {
  metric_id: string;
  as_of_month: string;
  value: number;
  prev_value: number;
}

interface DriverRow {
  metric_id: string;
  as_of_month: string;
  dimension: 'branch' | 'product';
  slice_value: string;
  name_zh: string;
  name_en: string;
  contribution: number;
  value: number | null;
  prev_value: number | null;
  rank: number;
}

/**
 * The sentences of every month, generated from the numbers only (templates; no free text):
 * - seq 1, whole bank: loans, NPL and provision balances (亿元 / 万元) with 比上月 and 比年初
 *   (vs the December of the previous year), from marts.mart_credit__portfolio_monthly;
 * - then, whole bank, one sentence per ratio KPI whose change vs last month is non-zero at its display
 *   precision (catalogue order): direction, change in percentage points, new value, and the largest
 *   contributing branch and product of the same sign (metrics.kpi_contributions);
 * - per branch (slice 'branch'), one sentence per ratio KPI whose contribution from that branch is
 *   non-zero at display precision: the branch's own move and its contribution to the bank's change.
 *
 * @example
 * commentaryRows(metrics, balances, kpis, drivers)[1].text_zh;
 * // '不良贷款率较上月上升 0.35 个百分点至 1.62%，主要来自北京分行（+0.20 个百分点）和个人经营贷（+0.12 个百分点）。'
 */
export function commentaryRows(
  metrics: readonly CommentaryMetric[],
  balances: readonly BalanceRow[],
  kpis: readonly KpiRow[],
  drivers: readonly DriverRow[],
): CommentaryRow[] {
  const byId = new Map(metrics.map((m) => [m.id, m]));
  const order = (id: string) => byId.get(id)?.sortOrder ?? 0;
  const rows: CommentaryRow[] = [];
  const seqOf = new Map<string, number>();
  const push = (r: Omit<CommentaryRow, 'seq'>) => {
    const key = `${r.as_of_month}|${r.slice}|${r.slice_value}`;
    const seq = (seqOf.get(key) ?? 0) + 1;
    seqOf.set(key, seq);
    rows.push({ ...r, seq });
  };
  const months = [...new Set([...balances.map((b) => b.as_of_month), ...kpis.map((k) => k.as_of_month)])].sort();
  for (const month of months) {
    const b = balances.find((x) => x.as_of_month === month);
    if (b) {
      const zh: string[] = [`各项贷款余额 ${yi(b.balance)} 亿元`];
      const en: string[] = [`Loans outstanding ${yi(b.balance)} 亿元 (CNY 100m)`];
      if (b.m1_balance !== null) (zh.push(`比上月${moveZh(b.balance - b.m1_balance)}`), en.push(`${moveEn(b.balance - b.m1_balance)} on the month`));
      if (b.ys_balance !== null) (zh.push(`比年初${moveZh(b.balance - b.ys_balance)}`), en.push(`${moveEn(b.balance - b.ys_balance)} on the start of the year`));
      const zh2: string[] = [`不良贷款余额 ${wan(b.npl_balance)} 万元`];
      const en2: string[] = [`NPL balance ${wan(b.npl_balance)} 万元`];
      if (b.m1_npl !== null) (zh2.push(`比上月${moveZh(b.npl_balance - b.m1_npl)}`), en2.push(`${moveEn(b.npl_balance - b.m1_npl)} on the month`));
      if (b.ys_npl !== null) (zh2.push(`比年初${moveZh(b.npl_balance - b.ys_npl)}`), en2.push(`${moveEn(b.npl_balance - b.ys_npl)} on the start of the year`));
      push({
        as_of_month: month,
        topic: 'balances',
        metric_id: null,
        slice: 'all',
        slice_value: 'ALL',
        text_zh: `${zh.join('，')}；${zh2.join('，')}；贷款损失准备余额 ${wan(b.provision_amount)} 万元。`,
        text_en: `${en.join(', ')}; ${en2.join(', ')}; loan-loss provisions ${wan(b.provision_amount)} 万元.`,
      });
    }
    const monthKpis = kpis.filter((k) => k.as_of_month === month && byId.has(k.metric_id)).sort((a, c) => order(a.metric_id) - order(c.metric_id));
    for (const k of monthKpis) {
      const m = byId.get(k.metric_id)!;
      const d = displayOf(m);
      const delta = k.value - k.prev_value;
      const c = changeText(delta, d);
      if (c.zero) continue;
      const up = delta > 0;
      const mine = drivers.filter((x) => x.metric_id === k.metric_id && x.as_of_month === month && x.slice_value !== UNATTRIBUTED);
      const lead = (dim: 'branch' | 'product') =>
        mine
          .filter((x) => x.dimension === dim && (up ? x.contribution > 0 : x.contribution < 0) && !signedChange(x.contribution, d).zero)
          .sort((a, z) => a.rank - z.rank)[0];
      const tops = [lead('branch'), lead('product')].filter((x): x is DriverRow => x !== undefined);
      const zhTops = tops.map((t) => `${t.name_zh}（${signedChange(t.contribution, d).zh}）`).join('和');
      const enTops = tops.map((t) => `${t.name_en} (${signedChange(t.contribution, d).en})`).join(' and ');
      push({
        as_of_month: month,
        topic: m.id,
        metric_id: m.id,
        slice: 'all',
        slice_value: 'ALL',
        text_zh: `${m.nameZh}较上月${up ? '上升' : '下降'} ${c.text}${c.zhUnit || ' '}至 ${shownKpiValue(k.value, m)}${zhTops ? `，主要来自${zhTops}` : ''}。`,
        text_en: `${m.nameEn} ${up ? 'rose' : 'fell'} ${c.text}${c.enUnit} to ${shownKpiValue(k.value, m)}${enTops ? `, mainly from ${enTops}` : ''}.`,
      });
    }
    const branchRows = drivers
      .filter((x) => x.as_of_month === month && x.dimension === 'branch' && x.slice_value !== UNATTRIBUTED && byId.has(x.metric_id))
      .sort((a, z) => order(a.metric_id) - order(z.metric_id) || a.slice_value.localeCompare(z.slice_value));
    for (const x of branchRows) {
      const m = byId.get(x.metric_id)!;
      const d = displayOf(m);
      const contrib = signedChange(x.contribution, d);
      if (contrib.zero) continue;
      const own =
        x.value !== null && x.prev_value !== null
          ? { zh: `由 ${shownKpiValue(x.prev_value, m)} 变为 ${shownKpiValue(x.value, m)}`, en: `went from ${shownKpiValue(x.prev_value, m)} to ${shownKpiValue(x.value, m)}` }
          : x.value !== null
            ? { zh: `为 ${shownKpiValue(x.value, m)}（上月无余额）`, en: `is ${shownKpiValue(x.value, m)} (nothing last month)` }
            : { zh: '本月无余额', en: 'has nothing this month' };
      push({
        as_of_month: month,
        topic: m.id,
        metric_id: m.id,
        slice: 'branch',
        slice_value: x.slice_value,
        text_zh: `${x.name_zh}${m.nameZh}${own.zh}，拉动全行${contrib.zh.startsWith('−') ? '下降' : '上升'} ${contrib.zh.replace(/^[+−]/, '')}。`,
        text_en: `${x.name_en}: ${m.nameEn} ${own.en}, moving the whole bank by ${contrib.en}.`,
      });
    }
  }
  return rows;
}

/**
 * Writes `metrics.kpi_commentary` (as_of_month, seq, topic, metric_id, slice, slice_value,
 * text_zh, text_en; key as_of_month × slice × slice_value × seq) from
 * marts.mart_credit__portfolio_monthly, metrics.kpi_values and metrics.kpi_contributions (written
 * first) with {@link commentaryRows}. Branch and product names from core.dim_branches / core.dim_products.
 *
 * @example
 * await writeKpiCommentary(wh, metrics);
 * // SELECT … FROM marts.mart_credit__portfolio_monthly GROUP BY as_of_month …
 */
export async function writeKpiCommentary(wh: WarehouseHandle, metrics: readonly CommentaryMetric[]): Promise<void> {
  const ratio = metrics.filter((m) => m.formula.kind === 'ratio');
  const ids = ratio.length ? ratio.map((m) => lit(m.id)).join(', ') : 'NULL';
  const balances = await wh.all<BalanceRow>(`
    WITH b AS (
      SELECT as_of_month, sum(balance)::DOUBLE PRECISION AS balance, sum(npl_balance)::DOUBLE PRECISION AS npl_balance, sum(provision_amount)::DOUBLE PRECISION AS provision_amount
      FROM marts.mart_credit__portfolio_monthly GROUP BY as_of_month
    )
    SELECT strftime(b.as_of_month, '%Y-%m-%d') AS as_of_month, b.balance, b.npl_balance, coalesce(b.provision_amount, 0) AS provision_amount,
      p.balance AS m1_balance, p.npl_balance AS m1_npl, y.balance AS ys_balance, y.npl_balance AS ys_npl
    FROM b
    LEFT JOIN b p ON p.as_of_month = CAST(last_day(b.as_of_month - INTERVAL '1 month') AS DATE)
    LEFT JOIN b y ON y.as_of_month = make_date(year(b.as_of_month) - 1, 12, 31)
    WHERE b.balance IS NOT NULL
    ORDER BY 1`);
  const kpis = await wh.all<KpiRow>(`
    SELECT DISTINCT metric_id, strftime(as_of_month, '%Y-%m-%d') AS as_of_month, bank_value AS value, bank_prev_value AS prev_value
    FROM metrics.kpi_contributions WHERE metric_id IN (${ids}) ORDER BY 1, 2`);
  const drivers = await wh.all<DriverRow>(`
    SELECT c.metric_id, strftime(c.as_of_month, '%Y-%m-%d') AS as_of_month, c.dimension, c.slice_value,
      coalesce(c.slice_label, c.slice_value) AS name_zh,
      coalesce(CASE c.dimension WHEN 'branch' THEN b.branch_name_en ELSE p.product_name_en END, c.slice_label, c.slice_value) AS name_en,
      c.contribution, c.value, c.prev_value, c.rank
    FROM metrics.kpi_contributions c
    LEFT JOIN core.dim_branches b ON c.dimension = 'branch' AND b.branch_id = c.slice_value
    LEFT JOIN core.dim_products p ON c.dimension = 'product' AND p.product_id = c.slice_value
    WHERE c.metric_id IN (${ids})`);
  const rows = commentaryRows(ratio, balances, kpis, drivers);
  await wh.exec(`DROP TABLE IF EXISTS metrics.kpi_commentary;
    CREATE TABLE metrics.kpi_commentary (
    as_of_month DATE NOT NULL, seq INTEGER NOT NULL, topic VARCHAR NOT NULL, metric_id VARCHAR, slice VARCHAR NOT NULL,
    slice_value VARCHAR NOT NULL, text_zh VARCHAR NOT NULL, text_en VARCHAR NOT NULL,
    PRIMARY KEY (as_of_month, slice, slice_value, seq))`);
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await wh.exec(
      `INSERT INTO metrics.kpi_commentary VALUES ${chunk
        .map(
          (r) =>
            `(DATE ${lit(r.as_of_month)}, ${r.seq}, ${lit(r.topic)}, ${r.metric_id === null ? 'NULL' : lit(r.metric_id)}, ${lit(r.slice)}, ${lit(r.slice_value)}, ${lit(r.text_zh)}, ${lit(r.text_en)})`,
        )
        .join(', ')}`,
    );
  }
}
