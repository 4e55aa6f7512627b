import { describe, expect, it } from 'vitest';
import { roundRollForward, type RollForwardLine } from '../../../transforms/publish/exports/roll-forward-rounding.js';

/** Shown opening + ins − outs, in display units. */
function shownClosing(lines: readonly RollForwardLine[], units: readonly bigint[]): bigint {
  return lines.reduce((a, l, i) => (l.role === 'opening' || l.role === 'in' ? a + units[i]! : l.role === 'out' ? a - units[i]! : a), 0n);
}

describe('roundRollForward', () => {
  it('makes the shown lines add up to the shown closing where rounding each line would not', () => {
    // Unit 10 (think 0.01 万元 = 10 of these). Exact: 1004 + 3 + 3 − 2 = 1008.
    // Each line half up: 100 + 0 + 0 − 0 = 100, but the closing 1008 rounds to 101: the page would not add up.
    // Controlled: opening 100 and closing 101 held (half up); one of the two +3 lines shows 1 (a neighbour of 0.3),
    // the other 0, the −2 line 0 (cheapest: one line moved by 0.7 units instead of three).
    const lines: RollForwardLine[] = [
      { role: 'opening', fen: 1004n },
      { role: 'in', fen: 3n },
      { role: 'in', fen: 3n },
      { role: 'out', fen: 2n },
      { role: 'closing', fen: 1008n },
    ];
    const units = roundRollForward(lines, 10n);
    expect(units[0]).toBe(100n);
    expect(units[4]).toBe(101n);
    expect(shownClosing(lines, units)).toBe(units[4]);
    expect([units[1]! + units[2]!, units[3]]).toEqual([1n, 0n]);
    for (const [i, l] of lines.entries()) expect(l.fen / 10n <= units[i]! && units[i]! <= l.fen / 10n + 1n, `line ${i}`).toBe(true);
  });

  it('holds opening and closing at figures another table printed', () => {
    // Exact 1005 + 10 = 1015; the package printed the opening as 101 (half up) and the closing as 102 (half up).
    const lines: RollForwardLine[] = [{ role: 'opening', fen: 1005n, fixed: 101n }, { role: 'in', fen: 10n }, { role: 'closing', fen: 1015n, fixed: 102n }];
    expect(roundRollForward(lines, 10n)).toEqual([101n, 1n, 102n]);
  });

  it('rounds each line half up when the exact lines do not reconcile, so the gap stays visible', () => {
    // 1000 + 15 ≠ 1020 (the mart's data test reports such a month): 100, 2 (1.5 half up), 102.
    const lines: RollForwardLine[] = [{ role: 'opening', fen: 1000n }, { role: 'in', fen: 15n }, { role: 'closing', fen: 1020n }];
    expect(roundRollForward(lines, 10n)).toEqual([100n, 2n, 102n]);
  });
});
