// The report's colours: ONE home for every chart of the site (ECharts charts on the pages through
// `colorPalette` / `seriesColors`, the Vega-Lite components through the same constants).
//
// - The whole bank is always WHOLE_BANK (dark navy) and a compared slice (branch, product)
//   always COMPARED (orange), on every page.
// - The five categories are always the same five colours: 正常 green, 关注 amber, 次级 orange,
//   可疑 red, 损失 dark red.
// - Other series take SERIES in order: eight colours far apart in hue and lightness (no two
//   near-identical blues), readable on white.
//
// Page usage (pages import it as $lib/palette.js):
//   <script>import { SERIES, colorsByCode } from '$lib/palette.js';</script>
//   <BarChart … colorPalette={SERIES} seriesColors={colorsByCode(five_trend, 'class_label', 'recorded_class', FIVE_CLASS)} />

/** The whole bank (全行) in every chart. */
export const WHOLE_BANK = '#1f3a5f';
/** A branch or product compared with the whole bank. */
export const COMPARED = '#e8710a';
/** Target / reference lines. */
export const TARGET = '#cf222e';

/** 五级分类: code (recorded_class) → colour. */
export const FIVE_CLASS = {
	正常: '#4c9a6a',
	关注: '#e0a800',
	次级: '#f07c22',
	可疑: '#d1352b',
	损失: '#7a1010'
};

/**
 * NPL movement waterfall (不良贷款变动): opening / closing balances navy like the whole bank, bars that
 * add to the NPL balance in the 可疑 red, bars that reduce it in the 正常 green.
 */
export const WATERFALL = { stock: '#1f3a5f', up: '#d1352b', down: '#4c9a6a' };

/** Categorical series (distinct hues; the first is the whole bank's navy). */
export const SERIES = ['#1f3a5f', '#e8710a', '#2a9d8f', '#8e44ad', '#e6c200', '#c2185b', '#9aa5b1', '#7cb342'];

/** Sequential ramp (few → many), e.g. lag buckets from 0 days (light) to 31+ days (dark). */
export const RAMP = ['#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b', '#041a3a'];

/** Label of the whole bank in kpi_values.slice_label (sources/warehouse/kpi_values.sql). */
export const WHOLE_BANK_LABEL = '全行 Whole bank';

function rowsOf(data) {
	if (!data) return [];
	try {
		return Array.from(data);
	} catch {
		return [];
	}
}

/**
 * seriesColors for a chart whose series are labels of coded rows: label → colour of its code.
 * @example colorsByCode(rows, 'class_label', 'recorded_class', FIVE_CLASS) // { '关注 Special mention': '#e0a800', … }
 */
export function colorsByCode(data, labelField, codeField, colors) {
	const out = {};
	for (const r of rowsOf(data)) if (colors[r[codeField]]) out[r[labelField]] = colors[r[codeField]];
	return out;
}

/**
 * seriesColors for a chart comparing one slice with the whole bank: the whole bank navy, every
 * other series orange.
 * @example vsWholeBank(npl_trend, 'series') // { '全行 Whole bank': '#1f3a5f', '北京分行 Beijing Branch': '#e8710a' }
 */
export function vsWholeBank(data, field = 'series') {
	const out = {};
	for (const r of rowsOf(data)) out[r[field]] = r[field] === WHOLE_BANK_LABEL ? WHOLE_BANK : COMPARED;
	return out;
}

/**
 * seriesColors for series in a given order (e.g. buckets): label → colours[i] by its order field.
 * @example colorsByOrder(lag_trend, 'lag_label', 'bucket_order', RAMP)
 */
export function colorsByOrder(data, labelField, orderField, colors) {
	const out = {};
	for (const r of rowsOf(data)) {
		const i = Math.max(0, Number(r[orderField]) - 1);
		out[r[labelField]] = colors[Math.min(i, colors.length - 1)];
	}
	return out;
}

/**
 * seriesOrder: the distinct labels sorted by an order field (Evidence sorts series by name otherwise).
 * @example orderBy(lag_trend, 'lag_label', 'bucket_order') // ['0天 0 d', '1天 1 d', …, '31天以上 31+ d']
 */
export function orderBy(data, labelField, orderField) {
	const m = new Map();
	for (const r of rowsOf(data)) if (!m.has(r[labelField])) m.set(r[labelField], Number(r[orderField]));
	return [...m.entries()].sort((a, b) => a[1] - b[1]).map(([l]) => l);
}

/**
 * ECharts options for a count axis: integer ticks only (never 0, 0.5, 1 printed as 0, 1, 1) and a
 * legend that wraps instead of being cut off.
 */
export const COUNT_AXIS = { yAxis: { minInterval: 1 } };
/**
 * ECharts legend that wraps onto several lines (long bilingual series names) instead of scrolling
 * with its end cut off: placed below the chart title, with the plot area moved down to make room.
 */
export const WRAP_LEGEND = { legend: { type: 'plain', top: 24 }, grid: { top: 84 } };

/**
 * seriesColors for a chart of several KPIs of the whole bank: `main` (the metric id the chart is about) in the
 * whole bank's navy, the others in SERIES order after it (never navy or orange again).
 * @example kpiColors(npl_trend, mainId) // { '不良贷款率 NPL ratio': '#1f3a5f', '…': '#2a9d8f', … }
 */
export function kpiColors(data, main, labelField = 'series', idField = 'metric_id') {
	const out = {};
	let i = 2;
	for (const r of rowsOf(data)) {
		if (out[r[labelField]]) continue;
		out[r[labelField]] = r[idField] === main ? WHOLE_BANK : SERIES[i++ % SERIES.length];
	}
	return out;
}
