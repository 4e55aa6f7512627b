// Steps of the NPL movement waterfall (不良贷款变动) for a chart: from the rows of ONE month and slice
// of warehouse.npl_movements (movement, movement_label, movement_order, sign, line_type, loans,
// balance), the bars in order with where each starts and ends. Memo lines (line_type 'memo') are
// not bars; the moves between branches / products are left out when they are zero. No arithmetic
// on the figures other than the running total the waterfall draws (the mart's lines already add up).

import { rowsOf } from './kpi-format.js';

/**
 * @example
 * waterfallSteps([{ movement: 'opening', line_type: 'stock', sign: 0, balance: 100, movement_order: 1 },
 *   { movement: 'new_npl', line_type: 'flow', sign: 1, balance: 30, movement_order: 2 }, …])
 * // [{ …, kind: 'stock', start: 0, end: 100 }, { …, kind: 'up', start: 100, end: 130 }, …]
 */
export function waterfallSteps(data) {
	const rows = rowsOf(data)
		.filter((r) => r.line_type !== 'memo')
		.filter((r) => !(String(r.movement).startsWith('moved_') && Number(r.balance) === 0))
		.sort((a, b) => Number(a.movement_order) - Number(b.movement_order));
	let level = 0;
	return rows.map((r, i) => {
		const amount = Number(r.balance ?? 0);
		let start;
		let end;
		let kind;
		if (r.line_type === 'stock') {
			start = 0;
			end = amount;
			level = amount;
			kind = 'stock';
		} else {
			const delta = Number(r.sign) * amount;
			start = level;
			end = level + delta;
			level = end;
			kind = delta > 0 ? 'up' : delta < 0 ? 'down' : Number(r.sign) > 0 ? 'up' : 'down';
		}
		return {
			...r,
			step: i + 1,
			kind,
			start: start / 10000, // 万元
			end: end / 10000,
			amount_wan: amount / 10000,
			signed_wan: (r.line_type === 'stock' ? amount : Number(r.sign) * amount) / 10000,
			loans: Number(r.loans ?? 0)
		};
	});
}
