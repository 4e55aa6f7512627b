import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { CqError } from '../../lib/errors.js';
import { rollForward, type BookBranch, type BookClass, type BookKpi, type BookMovement } from './book-data.js';

/** Chart colours of the book (bank-report palette: navy series, red = worse, green = better). */
export const BOOK_COLOURS = { navy: '#1f3864', blue: '#4472c4', grey: '#a5a5a5', red: '#c0504d', green: '#4f8a3c', amber: '#d99a00', ink: '#262626' } as const;

const FONT = 'WenQuanYi Micro Hei';

/** Shared Vega-Lite config: system CJK font, small print sizes, no chart border. */
const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 9, titleFontSize: 9, labelColor: BOOK_COLOURS.ink, titleColor: BOOK_COLOURS.ink, gridColor: '#e3e3e3', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 9, titleFontSize: 9 },
  text: { fontSize: 8.5 },
} as const;

/**
 * Renders a Vega-Lite spec to an SVG string on the server (vega View with the `none` renderer, no
 * DOM, no network: data must be inline `values`). Text uses the installed CJK system font, so the
 * SVG can be inlined into the book's HTML and printed by Chromium. Same spec, same SVG.
 *
 * @example
 * const svg = await vegaLiteSvg({ data: { values: [{ k: '正常', v: 3 }] }, mark: 'bar', encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } } });
 * svg.startsWith('<svg'); // true
 */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  try {
    const compiled = vegaLite.compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec, { logger: vega.logger(vega.Error) }).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: vega.loader({ mode: 'file' }), logLevel: vega.Error });
    const svg = await view.toSVG();
    view.finalize();
    // Vega numbers its clip paths and gradients per process; renumber so the same chart gives the same text.
    let n = 0;
    const ids = new Map<string, string>();
    return svg
      .replace(/id="([^"]+)"/g, (_, id: string) => {
        if (!ids.has(id)) ids.set(id, `c${++n}`);
        return `id="${ids.get(id)}"`;
      })
      .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : all))
      .replace(/^<svg /, '<svg role="img" ');
  } catch (e) {
    throw new CqError('EXPORT_FAILED', `the report book chart could not be drawn (${(e as Error).message}).`, {}, { cause: e });
  }
}

/**
 * The NPL roll-forward as a waterfall: opening and closing balances as full bars, each movement as
 * a floating bar from the running balance (additions red, reductions green), in 万元. Memo rows
 * after the closing balance (see rollForward) are not drawn.
 *
 * @example
 * await waterfallSvg(data.movements, '万元');
 */
export async function waterfallSvg(movements: readonly BookMovement[], unitZh: string): Promise<string> {
  let running = 0;
  const rows = rollForward(movements).map((m, i) => {
    const v = m.shown;
    let start: number;
    let end: number;
    let kind: string;
    if (m.sign === 0) {
      start = 0;
      end = v;
      running = v;
      kind = '余额 Balance';
    } else {
      start = running;
      end = running + m.sign * v;
      running = end;
      kind = m.sign > 0 ? '增加 Increase' : '减少 Decrease';
    }
    return { i, label: m.labelZh, start, end, kind, text: `${m.sign < 0 && v !== 0 ? '−' : m.sign > 0 && v !== 0 ? '+' : ''}${Math.abs(v).toFixed(2)}` };
  });
  return vegaLiteSvg({
    width: 640,
    height: 220,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar', width: { band: 0.62 } },
        encoding: {
          x: { field: 'label', type: 'ordinal', sort: { field: 'i', op: 'min' }, title: null, axis: { labelAngle: 0, labelLimit: 80, labelFontSize: 8 } },
          y: { field: 'start', type: 'quantitative', title: `${unitZh}` },
          y2: { field: 'end' },
          color: {
            field: 'kind',
            type: 'nominal',
            scale: { domain: ['余额 Balance', '增加 Increase', '减少 Decrease'], range: [BOOK_COLOURS.navy, BOOK_COLOURS.red, BOOK_COLOURS.green] },
            legend: { orient: 'top', title: null, direction: 'horizontal' },
          },
        },
      },
      {
        mark: { type: 'text', dy: -6, color: BOOK_COLOURS.ink },
        encoding: {
          x: { field: 'label', type: 'ordinal', sort: { field: 'i', op: 'min' } },
          y: { field: 'top', type: 'quantitative' },
          text: { field: 'text' },
        },
        transform: [{ calculate: 'max(datum.start, datum.end)', as: 'top' }],
      },
    ],
  } as TopLevelSpec);
}

/**
 * Five-category distribution: balance share of each class this month and last month, side by side.
 *
 * @example
 * await fiveCategorySvg(data.classes, '2026-10', '2026-09');
 */
export async function fiveCategorySvg(classes: readonly BookClass[], month: string, prevMonth: string | null): Promise<string> {
  const rows = classes.flatMap((c) => [
    { cls: c.cls, rank: c.rank, period: `${month} 本月`, order: 2, share: c.share },
    ...(prevMonth && c.prevShare !== null ? [{ cls: c.cls, rank: c.rank, period: `${prevMonth} 上月`, order: 1, share: c.prevShare }] : []),
  ]);
  return vegaLiteSvg({
    width: 640,
    height: 170,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'cls', type: 'ordinal', sort: { field: 'rank', op: 'min' }, title: null, axis: { labelAngle: 0 } },
          xOffset: { field: 'period', sort: { field: 'order', op: 'min' } },
          y: { field: 'share', type: 'quantitative', title: '余额占比 Share of balance', axis: { format: '.0%' } },
          color: { field: 'period', type: 'nominal', sort: { field: 'order', op: 'min' }, scale: { range: [BOOK_COLOURS.grey, BOOK_COLOURS.navy] }, legend: { orient: 'top', title: null } },
        },
      },
      {
        mark: { type: 'text', dy: -6, color: BOOK_COLOURS.ink, fontSize: 8 },
        encoding: {
          x: { field: 'cls', type: 'ordinal', sort: { field: 'rank', op: 'min' } },
          xOffset: { field: 'period', sort: { field: 'order', op: 'min' } },
          y: { field: 'share', type: 'quantitative' },
          text: { field: 'share', type: 'quantitative', format: '.1%' },
        },
      },
    ],
  } as TopLevelSpec);
}

/**
 * Branch ranking: one KPI by branch as horizontal bars in ranking order, coloured by status, with
 * the target as a rule when the catalogue has a numeric one.
 *
 * @example
 * await branchRankingSvg(data.branches, data.branchKpis[0], 0.02, 'percent');
 */
export async function branchRankingSvg(branches: readonly BookBranch[], kpi: BookKpi, target: number | null, format: 'percent' | 'number'): Promise<string> {
  const rows = branches
    .map((b, i) => ({ i, branch: b.label, value: b.values[kpi.metricId]?.value ?? null, text: b.values[kpi.metricId]?.text ?? '—', status: b.values[kpi.metricId]?.status.code ?? 'no_data' }))
    .filter((r) => r.value !== null);
  const axisFormat = format === 'percent' ? '.1%' : ',.2f';
  return vegaLiteSvg({
    width: 560,
    height: Math.max(60, rows.length * 14),
    layer: [
      {
        data: { values: rows },
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          y: { field: 'branch', type: 'ordinal', sort: { field: 'i', op: 'min' }, title: null, axis: { labelLimit: 120 } },
          x: { field: 'value', type: 'quantitative', title: `${kpi.nameZh} ${kpi.nameEn}`, axis: { format: axisFormat } },
          color: {
            field: 'status',
            type: 'nominal',
            scale: { domain: ['green', 'amber', 'red', 'none', 'too_few', 'no_data'], range: [BOOK_COLOURS.green, BOOK_COLOURS.amber, BOOK_COLOURS.red, BOOK_COLOURS.blue, BOOK_COLOURS.grey, BOOK_COLOURS.grey] },
            legend: null,
          },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'text', align: 'left', dx: 3, color: BOOK_COLOURS.ink, fontSize: 8 },
        encoding: { y: { field: 'branch', type: 'ordinal', sort: { field: 'i', op: 'min' } }, x: { field: 'value', type: 'quantitative' }, text: { field: 'text' } },
      },
      ...(target !== null
        ? [
            {
              data: { values: [{ target }] },
              mark: { type: 'rule', color: BOOK_COLOURS.ink, strokeDash: [4, 3] },
              encoding: { x: { field: 'target', type: 'quantitative' } },
            },
          ]
        : []),
    ],
  } as TopLevelSpec);
}
