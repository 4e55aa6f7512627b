import { describe, expect, it } from 'vitest';

interface Item {
  slice_label: string;
  units: number;
}
interface WhyFormat {
  largestRemainder(values: number[], target: number): number[];
  topContributions(rows: unknown[], change: number, meta: unknown, top?: number): { change: number; items: Item[] };
  fmtUnits(units: number, meta: unknown): string;
}
// A plain JavaScript module of the site (no type declarations): imported by a computed path.
const SITE_WHY = '../../components/why-format.js';
const { fmtUnits, largestRemainder, topContributions } = (await import(SITE_WHY)) as WhyFormat;

describe('why-format (shown contributions add up to the shown change)', () => {
  it('largest remainder: floors, then +1 to the largest fractional parts', () => {
    // floors 1, 1, −1 (sum 1); target 3 → two more: −0.2 (frac .8) and the first 1.6 (frac .6, tie by position)
    expect(largestRemainder([1.6, 1.6, -0.2], 3)).toEqual([2, 1, 0]);
    // 33.4 + 33.3 + 33.3 = 100: floors 33, 33, 33 (99) → +1 to 33.4
    expect(largestRemainder([33.4, 33.3, 33.3], 100)).toEqual([34, 33, 33]);
  });

  it('top contributors + 其他 Other, in units of the display precision, sum to the rounded change', () => {
    // NPL ratio (percent, 2 decimals: 1 unit = 0.01 pp = 0.0001). Contributions in units: A 23.32,
    // B −5.42, C 1.23, D 0.45, E −0.60 (sum 18.98 = the change 0.001898 → shown 19 units = +0.19 pp).
    // Top 3 by size A, B, C; Other = 0.45 − 0.60 = −0.15. Floors 23, −6, 1, −1 = 17; +1 to the two
    // largest fractions: Other (.85) → 0, B (.58) → −5. Shown: 23 − 5 + 1 + 0 = 19.
    const rows = [
      { slice_value: 'A', slice_label: 'A', contribution: 0.002332 },
      { slice_value: 'B', slice_label: 'B', contribution: -0.000542 },
      { slice_value: 'C', slice_label: 'C', contribution: 0.000123 },
      { slice_value: 'D', slice_label: 'D', contribution: 0.000045 },
      { slice_value: 'E', slice_label: 'E', contribution: -0.00006 },
    ];
    const meta = { display_format: 'percent', display_decimals: 2 };
    const r = topContributions(rows, 0.001898, meta, 3);
    expect(r.change).toBe(19);
    expect(r.items.map((x) => [x.slice_label, x.units])).toEqual([
      ['A', 23],
      ['B', -5],
      ['C', 1],
      ['其他 Other', 0],
    ]);
    expect(r.items.reduce((s, x) => s + x.units, 0)).toBe(r.change);
    expect(fmtUnits(-5, meta)).toBe('−0.05');
    expect(fmtUnits(19, meta)).toBe('+0.19');
    expect(fmtUnits(0, meta)).toBe('0.00');
  });
});
