// Display helpers shared by the report's custom components (KpiBoard, KpiChanges, KpiTable).
// Presentation only: KPI values, targets, RAG, status and the change of status come from
// metrics.kpi_values / metric_catalog; nothing here computes a KPI.
//
// How a KPI is shown comes from its metric definition through metrics.metric_catalog (the same
// columns the exports use, so a value reads the same on the site and in the exports):
//   display_format 'percent' → value × 100 with display_decimals and '%' (2.31%); a change → pp (+0.12 pp)
//   display_format 'number'  → display_decimals decimals, then display_suffix (0.781; 12.5 天 days)
//   target_text → the target in words, derived from the rule values by the KPI engine
//   page → the KPI's topic page ('/npl/')
//   display_cap / display_cap_text → a value above the cap reads '> 1,000%' (capped); change_cap → '> +100.00 pp'
//   status 'too_few' → '样本不足 Too few' with n (the sample size), no colour
//   amounts → CNY with thousands separators (¥1,234,567)
// Nothing here knows a metric id. docs/report-site.md "Labels and formats".

// Status words: the ONE home is STATUS_LABELS (transforms/kpi/rag.ts), written to the warehouse as
// metrics.status_labels and served on every kpi_values row (status_label, rag_label). The site cannot
// import TypeScript, so the words a component prints WITHOUT a row (legends, summaries) are repeated
// here and pinned to STATUS_LABELS by test/kpi/kpi-format.test.ts (a difference fails the tests).
export const RAG_LABEL = {
	green: '达标 On target',
	amber: '预警 Watch',
	red: '未达标 Off target',
	none: '无目标 No target',
	no_data: '无数据 No data',
	too_few: '样本不足 Too few'
};

export const RAG_COLOR = {
	green: '#1a7f37',
	amber: '#c98a00',
	red: '#cf222e',
	none: '#8c959f',
	no_data: '#8c959f',
	too_few: '#8c959f'
};

/**
 * The status word of a kpi_values row (a key of RAG_LABEL): 'no_data' / 'too_few' when the engine
 * says so (status), else its RAG colour ('green' | 'amber' | 'red' | 'none'); 'no_data' without a row
 * or a value.
 */
export function statusOf(row) {
	if (!row) return 'no_data';
	if (row.status === 'too_few') return 'too_few';
	if (row.status === 'no_data' || finite(row.value) === null) return 'no_data';
	return row.rag ?? 'none';
}

/** The status in words for a row: its status_label from the warehouse, else the same words from RAG_LABEL. */
export function statusLabel(row) {
	return row?.status_label || RAG_LABEL[statusOf(row)] || '';
}

/**
 * A kpi_values row without a value to show: status 'no_data' (input never delivered, no prior
 * month, denominator zero), status 'too_few' (below the KPI's minimum sample: "样本不足 Too few"
 * with n, the value is never shown), or no value at all — never a colour, never a 0.
 */
export function isNoData(row) {
	return !row || row.status === 'no_data' || row.status === 'too_few' || finite(row.value) === null;
}

/** A row below its KPI's minimum sample (status 'too_few'). */
export function isTooFew(row) {
	return row?.status === 'too_few';
}

/** The sample size of a row ("n = 12"), '' when the KPI has no minimum sample (n NULL). */
export function fmtN(row) {
	const n = finite(row?.n);
	return n === null ? '' : `n = ${N0.format(n)}`;
}

/** The reason a row has no value to show ('' when it has one or the warehouse gives none). */
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
	if (isCapped(n, meta)) return capText(meta);
	const d = displayOf(meta);
	if (d.percent) return `${fmtDigits(d.decimals).format(n * 100)}%`;
	return d.suffix ? `${fmtDigits(d.decimals).format(n)} ${d.suffix}` : fmtDigits(d.decimals).format(n);
}

/**
 * A value above its KPI's display cap (catalog display_cap, e.g. provision coverage 10 = 1,000 %):
 * shown as the cap text ("> 1,000%", {@link capText}) with a cap marker, never as a five-digit percentage.
 */
export function isCapped(v, meta) {
	const n = finite(v);
	const cap = finite(meta?.display_cap);
	return n !== null && cap !== null && n > cap;
}

/** What a capped value reads: the catalog's display_cap_text ("> 1,000%"). */
export function capText(meta) {
	if (meta?.display_cap_text) return meta.display_cap_text;
	const cap = finite(meta?.display_cap);
	const d = displayOf(meta);
	return cap === null ? '' : `> ${N0.format(d.percent ? cap * 100 : cap)}${d.percent ? '%' : ''}`;
}

/** A change beyond its KPI's change cap (catalog change_cap: 1 = 100 pp for a percent): shown capped. */
export function isChangeCapped(v, meta) {
	const n = finite(v);
	const cap = finite(meta?.change_cap);
	return n !== null && cap !== null && Math.abs(n) > cap;
}

/**
 * Formats a change of a KPI value (signed): percentage points for a percent, else as the value;
 * beyond the KPI's change_cap it reads "> +100.00 pp" / "< −100.00 pp" (capped).
 */
export function fmtChange(v, meta) {
	const n = finite(v);
	if (n === null) return '—';
	if (isChangeCapped(n, meta)) {
		const cap = fmtChange(Math.sign(n) * finite(meta.change_cap), { ...meta, change_cap: null });
		return `${n > 0 ? '>' : '<'} ${cap}`;
	}
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
 * the KPI engine: "≤ 2.00%"); for a target that varies per row (target_kind 'prior_year') the row's
 * own words from the engine (row_target_text: "≤ 0.00%（上年同月 2.30% − 3 个百分点，下限 0.00%；…）"),
 * else the row's target followed by the rule.
 */
export function fmtTarget(row) {
	// The engine's own words for this row (kpi_values.target_text: baseline, delta, bound), when the page selects them.
	if (row?.target_kind === 'prior_year' && row?.row_target_text) return row.row_target_text;
	const t = finite(row?.target);
	const text = row?.target_text ?? '';
	if (t === null || row?.target_kind !== 'prior_year') return text || '—';
	const sym = { '<=': '≤', '<': '<', '>=': '≥', '>': '>' }[row?.target_op] ?? row?.target_op ?? '';
	return `${sym} ${fmtValue(t, row)}（${text}）`;
}

const RANK = { green: 3, amber: 2, red: 1 };

/**
 * What happened to a row's status since the previous month: the engine's kpi_values.status_change
 * ('better' | 'worse' | 'target_moved'), or null. A page that does not select status_change gets the
 * same rule from prev_rag / rag / prev_value / value (rag.ts statusChange): a turn only between two
 * colours (green > amber > red); when the shown value did not move the way the colour did, only the
 * target moved ('target_moved', never "turned green").
 */
export function statusChangeOf(row) {
	if (!row) return null;
	if (row.status_change !== undefined && row.status_change !== null) return row.status_change || null;
	const a = RANK[row.prev_rag];
	const b = RANK[row.status === 'measured' || row.status === undefined ? row.rag : undefined];
	if (a === undefined || b === undefined || a === b) return null;
	const digits = finite(row.rag_digits) ?? (displayOf(row).percent ? displayOf(row).decimals + 2 : displayOf(row).decimals);
	const round = (x) => {
		const p = 10 ** digits;
		return (Math.sign(x) * Math.round(Math.abs(x) * p)) / p;
	};
	const v = finite(row.value);
	const pv = finite(row.prev_value);
	const up = b > a;
	if (v === null || pv === null) return up ? 'better' : 'worse';
	const delta = round(v) - round(pv);
	const valueBetter = row.direction === 'lower_is_better' ? delta < 0 : delta > 0;
	if (valueBetter !== up) return 'target_moved';
	return up ? 'better' : 'worse';
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
	'page',
	'rag_digits',
	'display_cap',
	'display_cap_text',
	'change_cap',
	'sample_text_zh',
	'sample_text_en',
	'min_sample_zh',
	'min_sample_en'
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
