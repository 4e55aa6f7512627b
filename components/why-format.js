// Rounding of "why a KPI moved" (components/WhyMoved.svelte): the shown contributions add up to the
// shown change. Presentation only: the contributions come from metrics.kpi_contributions.

/**
 * Rounds `values` to integers (units of the display precision) so they sum to `target`
 * (largest-remainder / Hamilton): floor each, then add 1 to the values with the largest fractional
 * parts until the sum is reached. Works for signed values.
 *   largestRemainder([1.6, 1.6, -0.2], 3) → [2, 1, 0]  (floors 1, 1, −1 = 1; +1 to 1.6, 1.6, −0.2 by remainder .6, .6, .8 → −0.2 first, then the first 1.6)
 */
export function largestRemainder(values, target) {
	const floors = values.map((v) => Math.floor(v));
	let missing = target - floors.reduce((s, v) => s + v, 0);
	const order = values
		.map((v, i) => ({ i, frac: v - Math.floor(v) }))
		.sort((a, b) => b.frac - a.frac || a.i - b.i);
	const out = [...floors];
	for (const { i } of order) {
		if (missing <= 0) break;
		out[i] += 1;
		missing -= 1;
	}
	// target below the floors' sum cannot happen when target = round(sum of values); guard anyway
	for (let k = out.length - 1; missing < 0 && k >= 0; k--, missing++) out[order[k].i] -= 1;
	return out;
}

/** The display scale of a KPI change: ×100 (percentage points) for a percent, and its decimals. */
export function changeScale(meta) {
	const d = Number(meta?.display_decimals);
	const decimals = Number.isFinite(d) ? d : 2;
	return { factor: (meta?.display_format === 'percent' ? 100 : 1) * 10 ** decimals, decimals, percent: meta?.display_format === 'percent' };
}

/**
 * The top `top` contributions (by |contribution|) and "其他 Other" (the rest), in integer units of
 * the display precision, adding up to the shown change.
 * rows: { slice_value, slice_label, contribution }, change: the whole-bank change (value units).
 * Returns { change: units, items: [{ slice_value, slice_label, units, other? }] }.
 */
export function topContributions(rows, change, meta, top = 3) {
	const { factor } = changeScale(meta);
	const sorted = [...rows].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || String(a.slice_value).localeCompare(String(b.slice_value)));
	const head = sorted.slice(0, top);
	const rest = sorted.slice(top);
	const items = head.map((r) => ({ slice_value: r.slice_value, slice_label: r.slice_label, raw: r.contribution * factor }));
	if (rest.length) items.push({ slice_value: null, slice_label: '其他 Other', raw: rest.reduce((s, r) => s + r.contribution, 0) * factor, other: true });
	const target = Math.round(change * factor);
	const units = largestRemainder(items.map((x) => x.raw), target);
	return { change: target, items: items.map((x, i) => ({ ...x, units: units[i] })) };
}

/** Integer units → signed text with the KPI's decimals, e.g. 12 units at 2 decimals → "+0.12". */
export function fmtUnits(units, meta) {
	const { decimals } = changeScale(meta);
	const v = Math.abs(units) / 10 ** decimals;
	const t = v.toFixed(decimals);
	return units === 0 ? t : `${units > 0 ? '+' : '−'}${t}`;
}
