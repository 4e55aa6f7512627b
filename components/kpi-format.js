// Display helpers shared by the report's custom components (KpiBoard, KpiChanges, KpiTable).
// Presentation only: KPI values, targets and RAG come from metrics.kpi_values / metric_catalog;
// nothing here computes a KPI.
//
// How a KPI is shown comes from its metric definition through metrics.metric_catalog (the same
// columns the exports use, so a value reads the same on the site and in the exports):
//   display_format 'percent' → value × 100 with display_decimals and '%' (2.31%); a change → pp (+0.12 pp)
//   display_format 'number'  → display_decimals decimals, then display_suffix (0.781; 12.5 天 days)
//   target_text → the target in words, derived from the rule values by the KPI engine
//   page → the KPI's topic page ('/npl/')
//   amounts → CNY with thousands separators (¥1,234,567)
// Nothing here knows a metric id. docs/report-site.md "Labels and formats".

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
const NUM = new Map();
/** Formatter with `d` decimals (cached). */
function fmtDigits(d) {
	if (!NUM.has(d)) NUM.set(d, num(d));
	return NUM.get(d);
}

/** How a KPI is displayed, from its catalog fields (merged into the row by withCatalog). */
export function displayOf(meta) {
	const decimals = finite(meta?.display_decimals);
	return {
		percent: meta?.display_format === 'percent',
		decimals: decimals === null ? 2 : decimals,
		suffix: meta?.display_suffix ?? ''
	};
}

/** A finite number, or null for null/undefined/NaN/±Infinity/non-numbers. */
export function finite(v) {
	if (v === null || v === undefined || v === '') return null;
	const n = typeof v === 'bigint' ? Number(v) : Number(v);
	return Number.isFinite(n) ? n : null;
}

/**
 * Formats a KPI value as its catalog says (`meta`: a row or catalog entry with display_format,
 * display_decimals, display_suffix); '—' when there is no value.
 */
export function fmtValue(v, meta) {
	const n = finite(v);
	if (n === null) return '—';
	const d = displayOf(meta);
	if (d.percent) return `${fmtDigits(d.decimals).format(n * 100)}%`;
	return d.suffix ? `${fmtDigits(d.decimals).format(n)} ${d.suffix}` : fmtDigits(d.decimals).format(n);
}

/** Formats a change of a KPI value (signed): percentage points for a percent, else as the value. */
export function fmtChange(v, meta) {
	const n = finite(v);
	if (n === null) return '—';
	const a = Math.abs(n);
	const d = displayOf(meta);
	// The sign of a change that rounds to zero at the displayed precision is ± (never "−0.00 pp").
	const digits = d.percent ? d.decimals + 2 : d.decimals;
	const sign = Number(a.toFixed(digits)) === 0 ? '±' : n > 0 ? '+' : '−';
	if (d.percent) return `${sign}${fmtDigits(d.decimals).format(a * 100)} pp`;
	return d.suffix ? `${sign}${fmtDigits(d.decimals).format(a)} ${d.suffix}` : `${sign}${fmtDigits(d.decimals).format(a)}`;
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
 * The target of one KPI row in words: the catalog's target_text (derived from the rule values by
 * the KPI engine: "≤ 2.00%"); for a target that varies per row (target_kind 'prior_year') the
 * row's own target followed by the rule.
 */
export function fmtTarget(row) {
	const t = finite(row?.target);
	const text = row?.target_text ?? '';
	if (t === null || row?.target_kind !== 'prior_year') return text || '—';
	const sym = { '<=': '≤', '<': '<', '>=': '≥', '>': '>' }[row?.target_op] ?? row?.target_op ?? '';
	return `${sym} ${fmtValue(t, row)}（${text}）`;
}

/** Topic page of a KPI (for the tile links): its catalog `page` ('/npl/'), or null when it has none. */
export function topicPage(meta) {
	return meta?.page || null;
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

/** Catalog fields merged into KPI rows by {@link withCatalog}. */
export const CATALOG_FIELDS = [
	'name_zh',
	'name_en',
	'unit',
	'direction',
	'target_op',
	'target_text',
	'target_kind',
	'sort_order',
	'display_format',
	'display_decimals',
	'display_suffix',
	'page'
];

/**
 * Rows with their KPI's catalog fields ({@link CATALOG_FIELDS}: names, unit, direction, target,
 * display format, topic page, sort order) merged in from `catalog` (metric_catalog rows); a row's own fields win.
 * Pages query the catalog once instead of repeating names on every KPI row (smaller data files).
 */
export function withCatalog(rows, catalog) {
	const byId = new Map(rowsOf(catalog).map((c) => [c.metric_id, c]));
	if (byId.size === 0) return rows;
	return rows.map((r) => {
		const c = byId.get(r.metric_id);
		if (!c) return r;
		const out = { ...r };
		for (const k of CATALOG_FIELDS) {
			if (out[k] === undefined || out[k] === null) out[k] = c[k];
		}
		return out;
	});
}
