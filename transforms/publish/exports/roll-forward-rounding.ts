import { roundCirculation, roundHalfUp, type FlowEdge } from './controlled-rounding.js';

/** One line of a roll-forward: a balance (opening, closing) or a movement that adds to or takes from it. */
export interface RollForwardLine {
  role: 'opening' | 'in' | 'out' | 'closing';
  /** Exact amount in base units (fen), ≥ 0 for movements. */
  fen: bigint;
  /** Hold this line at exactly this many display units (e.g. a balance another table already printed). */
  fixed?: bigint;
}

/**
 * Rounds a roll-forward (opening + ins − outs = closing) to whole display units so that the shown
 * lines add up to the shown closing balance: opening and closing are rounded half up (or held at
 * `fixed`), the movements by controlled rounding (each to a neighbouring multiple of the unit).
 * When the exact lines do not reconcile (the mart's own data test reports that) or a movement is
 * negative, every line is rounded half up on its own: the figures stay honest and the gap shows.
 *
 * @example
 * // opening 1.004, +0.003, −0.002, closing 1.005 (unit 0.01): opening 1.00, +0.01, −0.00, closing 1.01 (half up); they add up.
 * roundRollForward([
 *   { role: 'opening', fen: 1004n }, { role: 'in', fen: 3n }, { role: 'out', fen: 2n }, { role: 'closing', fen: 1005n },
 * ], 10n); // → [100n, 1n, 0n, 101n]  (units of 0.01)
 */
export function roundRollForward(lines: readonly RollForwardLine[], unit: bigint): bigint[] {
  const halfUp = (l: RollForwardLine) => l.fixed ?? (l.fen < 0n ? -roundHalfUp(-l.fen, unit) : roundHalfUp(l.fen, unit));
  const inflow = lines.filter((l) => l.role === 'opening' || l.role === 'in').reduce((a, l) => a + l.fen, 0n);
  const outflow = lines.filter((l) => l.role === 'closing' || l.role === 'out').reduce((a, l) => a + l.fen, 0n);
  if (inflow !== outflow || lines.some((l) => l.fen < 0n)) return lines.map(halfUp);
  const edges: FlowEdge[] = lines.map((l) => {
    const fixed = l.role === 'opening' || l.role === 'closing' ? { fixed: halfUp(l) } : {};
    return l.role === 'opening' || l.role === 'in' ? { from: 'src', to: 'bal', value: l.fen, ...fixed } : { from: 'bal', to: 'snk', value: l.fen, ...fixed };
  });
  edges.push({ from: 'snk', to: 'src', value: inflow });
  try {
    return roundCirculation(edges, unit).slice(0, lines.length);
  } catch {
    return lines.map(halfUp);
  }
}
