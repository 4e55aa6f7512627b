import { describe, expect, it } from 'vitest';
import { roundCirculation, roundHalfUp, type FlowEdge } from '../../../transforms/publish/exports/controlled-rounding.js';
import { roundTwoWay } from '../../../transforms/publish/exports/two-way-rounding.js';

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('controlled rounding', () => {
  it('rounds three rows of 0.4 so that the displayed rows add up to the displayed total', () => {
    const edges: FlowEdge[] = [
      { from: 'T', to: 'r1', value: 4n },
      { from: 'T', to: 'r2', value: 4n },
      { from: 'T', to: 'r3', value: 4n },
      { from: 'r1', to: 'S', value: 4n },
      { from: 'r2', to: 'S', value: 4n },
      { from: 'r3', to: 'S', value: 4n },
      { from: 'S', to: 'T', value: 12n, fixed: true, weight: 4 },
    ];
    const u = roundCirculation(edges, 10n);
    expect(u[6]).toBe(1n);
    expect(u[0]! + u[1]! + u[2]!).toBe(1n);
    for (let i = 0; i < 3; i++) expect(u[i]).toBe(u[i + 3]);
  });

  it('keeps exact multiples exact and prefers the nearest neighbour when it can', () => {
    const u = roundCirculation(
      [
        { from: 'T', to: 'a', value: 30n },
        { from: 'T', to: 'b', value: 18n },
        { from: 'a', to: 'S', value: 30n },
        { from: 'b', to: 'S', value: 18n },
        { from: 'S', to: 'T', value: 48n },
      ],
      10n,
    );
    expect(u).toEqual([3n, 2n, 3n, 2n, 5n]);
  });

  it('rejects a network that does not conserve flow', () => {
    expect(() => roundCirculation([{ from: 'a', to: 'b', value: 5n }], 10n)).toThrow(/not conserved/);
  });

  it('roundHalfUp rounds .5 up', () => {
    expect(roundHalfUp(15n, 10n)).toBe(2n);
    expect(roundHalfUp(14n, 10n)).toBe(1n);
    expect(roundHalfUp(0n, 10n)).toBe(0n);
  });

  it('two-way tables with two row sections: every cell and total within one unit, all sums reconcile (random tables)', () => {
    const unit = 10_000n;
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed);
      const cols = 1 + Math.floor(r() * 6);
      const sections = 1 + Math.floor(r() * 3);
      // one exact table of "loans", then each section groups the loans into rows differently
      const loans = Array.from({ length: 5 + Math.floor(r() * 60) }, () => ({
        col: Math.floor(r() * cols),
        cents: BigInt(Math.floor(r() * (r() < 0.3 ? 30_000 : 50_000_000))),
        keys: Array.from({ length: sections }, () => Math.floor(r() * 7)),
      }));
      const cells = Array.from({ length: sections }, (_, s) =>
        Array.from({ length: 7 }, (_, row) => Array.from({ length: cols }, (_, c) => loans.filter((l) => l.keys[s] === row && l.col === c).reduce((a, l) => a + l.cents, 0n))),
      );
      const out = roundTwoWay(cells, unit);
      const exactTotal = loans.reduce((a, l) => a + l.cents, 0n);
      expect(out.total).toBe(roundHalfUp(exactTotal, unit));
      for (let c = 0; c < cols; c++) {
        const exact = loans.filter((l) => l.col === c).reduce((a, l) => a + l.cents, 0n);
        expect(near(out.columnTotals[c]!, exact, unit), `seed ${seed} column ${c}`).toBe(true);
      }
      expect(out.columnTotals.reduce((a, b) => a + b, 0n)).toBe(out.total);
      out.sections.forEach((sec, s) => {
        sec.rowTotals.forEach((rt, row) => {
          expect(sec.cells[row]!.reduce((a, b) => a + b, 0n), `seed ${seed} section ${s} row ${row}`).toBe(rt);
          expect(near(rt, cells[s]![row]!.reduce((a, b) => a + b, 0n), unit)).toBe(true);
          sec.cells[row]!.forEach((v, c) => expect(near(v, cells[s]![row]![c]!, unit)).toBe(true));
        });
        for (let c = 0; c < cols; c++) expect(sec.cells.reduce((a, rowCells) => a + rowCells[c]!, 0n), `seed ${seed} section ${s} column ${c}`).toBe(out.columnTotals[c]);
        expect(sec.rowTotals.reduce((a, b) => a + b, 0n)).toBe(out.total);
      });
    }
  });
});

function near(units: bigint, exact: bigint, unit: bigint): boolean {
  const q = exact / unit;
  return units === q || (exact % unit !== 0n && units === q + 1n);
}
