/**
 * The NPL movement waterfall of the site (pages/npl-movements.md): the source query
 * (sources/warehouse/npl_movements.sql) on the hand-worked KPI fixture, and the steps the chart
 * draws (components/npl-waterfall.js): each bar starts where the previous one ended and the last
 * ends at the closing balance, for the whole bank (no moves) and for a branch (moves shown only when
 * not zero). Fixture figures at M (test/helpers/kpi-fixture.ts): opening 480,000, new 345,000,
 * cured 100,000, written off 20,000, closing 705,000; BJ01: opening 370,000 (L05 200,000, L09
 * 20,000, L11 150,000), new 20,000 (L12), written off 20,000, closing 370,000.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { M } from '../../helpers/kpi-fixture.js';
import { kpiFixtureWarehouse } from '../../helpers/kpi-warehouse.js';
// @ts-expect-error plain JavaScript module of the Evidence project (no types)
import { waterfallSteps } from '../../../components/npl-waterfall.js';

interface Step {
  movement: string;
  kind: string;
  start: number;
  end: number;
  movement_label: string;
}

let wh: WarehouseHandle;
let rows: Record<string, unknown>[];

beforeAll(async () => {
  wh = await kpiFixtureWarehouse();
  const source = readFileSync('sources/warehouse/npl_movements.sql', 'utf8');
  rows = await wh.all<Record<string, unknown>>(`SELECT * FROM (${source.replace(/;\s*$/, '')}) WHERE month = '${M.slice(0, 7)}'`);
}, 180_000);

afterAll(async () => {
  await wh?.close();
});

const of = (slice: string, value: string) => rows.filter((r) => r.slice === slice && r.slice_value === value);

describe('NPL waterfall on the site', () => {
  it('the source labels lines and slices from the code labels (Chinese and English)', () => {
    const bj = of('branch', 'BJ01');
    expect(bj[0]).toMatchObject({ slice_label: '北京分行 Beijing Branch', movement: 'opening', movement_label: '期初不良余额 Opening NPL balance', line_type: 'stock' });
    expect(of('all', 'ALL')[0]).toMatchObject({ slice_label: '全行 Whole bank' });
    expect(rows.every((r) => typeof r.movement_label_zh === 'string' && typeof r.movement_label_en === 'string')).toBe(true);
  });

  it('whole bank: bars chain from the opening 48 to the closing 70.5 (万元), memo lines are not bars', () => {
    const steps = waterfallSteps(of('all', 'ALL')) as Step[];
    expect(steps.map((s) => [s.movement, s.kind, s.start, s.end])).toEqual([
      ['opening', 'stock', 0, 48],
      ['new_npl', 'up', 48, 82.5],
      ['cured', 'down', 82.5, 72.5],
      ['repaid', 'down', 72.5, 72.5], // zero bar: coloured by its sign
      ['written_off', 'down', 72.5, 70.5],
      ['transferred', 'down', 70.5, 70.5],
      ['exited_unreported', 'down', 70.5, 70.5],
      ['closing', 'stock', 0, 70.5],
    ]);
  });

  it('a branch: zero moves are left out; the chain ends at its closing balance', () => {
    const steps = waterfallSteps(of('branch', 'BJ01')) as Step[];
    expect(steps.map((s) => s.movement)).not.toContain('moved_in');
    const closing = steps.at(-1)!;
    expect(closing).toMatchObject({ movement: 'closing', end: 37 });
    expect(steps.at(-2)!.end).toBe(closing.end);
  });
});
