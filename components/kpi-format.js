// Display helpers shared by the report's custom components (KpiBoard, KpiChanges, KpiTable).
// Presentation only: KPI values, targets and RAG come from metrics.kpi_values / metric_catalog;
// nothing here computes a KPI.
//
// Formats (docs/report-site.md "Labels and formats"):
//   ratio → percent with 2 decimals (2.31%); a change of a ratio → percentage points (+0.12 pp)
//   ratio KPIs whose target is a plain number (AUC, KS) → 3 decimals (0.781)
//   days / hours / score → 1 decimal with the unit (12.5 天 days)
//   amounts → CNY with thousands separators (¥1,234,567)

/** Ratio KPIs shown as plain numbers (their targets are written as 0.75, not 75%). */
export const PLAIN_RATIO_METRICS = new Set(['model_auc', 'model_ks']);

const UNIT_LABEL = { days: '天 days', hours: '小时 h', score: '分 pts' };

export const RAG_LABEL = {
	green: '绿 Green',
	amber: '黄 Amber',
	red: '红 Red',
	none: '无目标 No target',
	no_data: '无数据 No data'
};

export const RAG_COLOR = {
	green: '#1a7f37',
	amber: '#c98a00',
	red: '#cf222e',
	none: '#8c959f',
	no_data: '#8c959f'
};

/**
 * A kpi_values row without data: status 'no_data' (the KPI engine's availability: input never
 * delivered, no prior month, denominator zero, too few observations), or no value at all. Shown
 * grey "无数据 No data" with the row's no_data_reason — never a colour, never a 0.
 */
export function isNoData(row) {
	return !row || row.status === 'no_data' || finite(row.value) === null;
}

/** The reason a row has no data ('' when it has data or the warehouse gives none). */
export function noDataReason(row) {
	return isNoData(row) ? (row?.no_data_reason ?? '') : '';
}

const num = (digits) =>
	new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const N0 = num(0);
const N1 = num(1);
const N2 = num(2);
const N3 = num(3);

/** A finite number, or null for null/undefined/NaN/±Infinity/non-numbers. */
export function finite(v) {
	if (v === null || v === undefined || v === '') return null;
	const n = typeof v === 'bigint' ? Number(v) : Number(v);
	return Number.isFinite(n) ? n : null;
}

/** Formats a KPI value for its unit (see the file comment); '—' when there is no value. */
export function fmtValue(v, unit, metricId) {
	const n = finite(v);
	if (n === null) return '—';
	if (unit === 'ratio') return PLAIN_RATIO_METRICS.has(metricId) ? N3.format(n) : `${N2.format(n * 100)}%`;
	if (unit in UNIT_LABEL) return `${N1.format(n)} ${UNIT_LABEL[unit]}`;
	return N2.format(n);
}

/** Formats a change of a KPI value (signed): pp for ratios, the unit otherwise. */
export function fmtChange(d, unit, metricId) {
	const n = finite(d);
	if (n === null) return '—';
	const a = Math.abs(n);
	// The sign of a change that rounds to zero at the displayed precision is ± (never "−0.00 pp").
	const digits = unit === 'ratio' ? (PLAIN_RATIO_METRICS.has(metricId) ? 3 : 4) : unit in UNIT_LABEL ? 1 : 2;
	const sign = Number(a.toFixed(digits)) === 0 ? '±' : n > 0 ? '+' : '−';
	if (unit === 'ratio') return PLAIN_RATIO_METRICS.has(metricId) ? `${sign}${N3.format(a)}` : `${sign}${N2.format(a * 100)} pp`;
	if (unit in UNIT_LABEL) return `${sign}${N1.format(a)} ${UNIT_LABEL[unit]}`;
	return `${sign}${N2.format(a)}`;
}

/** ¥ with thousands separators, no decimals. */
export function fmtCny(v) {
	const n = finite(v);
	if (n === null) return '—';
	return `${n < 0 ? '−' : ''}¥${N0.format(Math.abs(n))}`;
}

/** Integer with thousands separators. */
export function fmtInt(v) {
	const n = finite(v);
	return n === null ? '—' : N0.format(n);
}

/**
 * 'good' | 'bad' | 'flat' | null for a change, given the KPI's direction
 * (lower_is_better / higher_is_better).
 */
export function changeQuality(d, direction) {
	const n = finite(d);
	if (n === null) return null;
	if (Math.abs(n) < 1e-12) return 'flat';
	const better = direction === 'lower_is_better' ? n < 0 : n > 0;
	return better ? 'good' : 'bad';
}

/**
 * The target of one KPI row in words: the catalog's text for fixed targets ("≤ 2.00%"); for
 * targets that vary per month (prior-year based) the row's value followed by the rule.
 */
export function fmtTarget(row) {
	const t = finite(row?.target);
	const text = row?.target_text ?? '';
	if (t === null || !/上年|prior/i.test(text)) return text || '—';
	const op = row?.target_op ?? (row?.direction === 'lower_is_better' ? '<=' : '>=');
	const sym = { '<=': '≤', '<': '<', '>=': '≥', '>': '>' }[op] ?? op;
	return `${sym} ${fmtValue(t, row.unit, row.metric_id)}（${text}）`;
}

/** Topic page of a KPI (for the tile links). */
export function topicPage(metricId) {
	if (/^(npl|overdue|loan_classification|under_classified|provision|loan_provision)/.test(metricId)) return '/npl/';
	if (/^warning/.test(metricId)) return '/early-warning/';
	if (/^model/.test(metricId)) return '/model/';
	return '/customers/';
}

/** Rows of an Evidence query result (or any iterable) as plain objects; [] when not loaded. */
export function rowsOf(data) {
	if (!data) return [];
	try {
		if (typeof data[Symbol.iterator] !== 'function') return [];
		return Array.from(data, (r) => ({ ...r }));
	} catch {
		return [];
	}
}

/** 'YYYY-MM' of a month key or a Date/ISO date. */
export function monthKey(v) {
	if (v === null || v === undefined) return null;
	if (typeof v === 'string' && /^\d{4}-\d{2}/.test(v)) return v.slice(0, 7);
	const d = v instanceof Date ? v : new Date(v);
	if (Number.isNaN(d.getTime())) return null;
	return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * The month to show: `selected` when it is a month present in `months`, else the latest one.
 * (Evidence's inputs hold a placeholder SQL string until the Dropdown has set a value.)
 */
export function pickMonth(months, selected) {
	const key = typeof selected === 'string' ? monthKey(selected.replace(/^'|'$/g, '')) : monthKey(selected);
	if (key && months.includes(key)) return key;
	return months.length ? months[months.length - 1] : null;
}

/** "2026-10" → "2026年10月 (Oct 2026)". */
export function fmtMonth(key) {
	if (!key) return '—';
	const [y, m] = key.split('-');
	const en = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m) - 1];
	return `${y}年${Number(m)}月 (${en} ${y})`;
}

/**
 * Rows with their KPI's catalog fields (name_zh, name_en, unit, direction, target_op,
 * target_text, sort_order) merged in from `catalog` (metric_catalog rows); a row's own fields win.
 * Pages query the catalog once instead of repeating names on every KPI row (smaller data files).
 */
export function withCatalog(rows, catalog) {
	const byId = new Map(rowsOf(catalog).map((c) => [c.metric_id, c]));
	if (byId.size === 0) return rows;
	return rows.map((r) => {
		const c = byId.get(r.metric_id);
		if (!c) return r;
		const out = { ...r };
		for (const k of ['name_zh', 'name_en', 'unit', 'direction', 'target_op', 'target_text', 'sort_order']) {
			if (out[k] === undefined || out[k] === null) out[k] = c[k];
		}
		return out;
	});
}
