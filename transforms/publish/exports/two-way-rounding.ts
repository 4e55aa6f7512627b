import { roundCirculation, type FlowEdge } from './controlled-rounding.js';

/** One block of rows of a two-way table after rounding (display units). */
export interface RoundedSection {
  /** cells[row][column] */
  cells: bigint[][];
  rowTotals: bigint[];
}

/** Result of {@link roundTwoWay}. */
export interface RoundedTwoWay {
  sections: RoundedSection[];
  /** Column totals, shared by every section. */
  columnTotals: bigint[];
  /** Grand total: the exact total rounded half up. */
  total: bigint;
}

const W_CELL = 1;
const W_ROW = 2;
const W_COLUMN = 3;
const W_TOTAL = 4;

/**
 * Rounds a two-way table whose rows come in one or more sections that each partition the same
 * book (e.g. the five-category table: rows by product, and again rows by industry; columns are
 * the classes) so that in the displayed numbers every row total is the sum of its cells, every
 * column total is the sum of the column's cells in EACH section, and the grand total is the
 * conventionally rounded exact total. Every displayed number is the floor or ceiling of its exact
 * value in display units.
 *
 * Sections 1 and 2 are rounded jointly as one network (rows₁ → cells₁ → columns → cells₂ → rows₂);
 * further sections are rounded with the column totals held. Inputs are exact amounts (e.g. fen)
 * per section, row and column; every section must sum to the same column totals.
 *
 * @example
 * roundTwoWay([[[12_345n, 0n]], [[12_345n, 0n]]], 10_000n).total; // 1n
 */
export function roundTwoWay(sections: readonly (readonly (readonly bigint[])[])[], unit: bigint): RoundedTwoWay {
  if (sections.length === 0) throw new Error('roundTwoWay: no sections');
  const cols = sections[0]![0]?.length ?? 0;
  const colSum = (s: readonly (readonly bigint[])[]) => Array.from({ length: cols }, (_, c) => s.reduce((a, row) => a + row[c]!, 0n));
  const exactCols = colSum(sections[0]!);
  for (const [i, s] of sections.entries()) {
    const cs = colSum(s);
    cs.forEach((v, c) => {
      if (v !== exactCols[c]) throw new Error(`roundTwoWay: section ${i + 1} column ${c + 1} sums to ${v}, section 1 to ${exactCols[c]}`);
    });
  }
  const exactTotal = exactCols.reduce((a, b) => a + b, 0n);
  const rowSum = (row: readonly bigint[]) => row.reduce((a, b) => a + b, 0n);

  // Sections 1 (+2) jointly.
  const edges: FlowEdge[] = [{ from: 'snk', to: 'src', value: exactTotal, fixed: true, weight: W_TOTAL }];
  const first = sections[0]!;
  const second = sections[1];
  const cellIdx1: number[][] = [];
  const rowIdx1: number[] = [];
  first.forEach((row, r) => {
    rowIdx1.push(edges.push({ from: 'src', to: `a${r}`, value: rowSum(row), weight: W_ROW }) - 1);
    cellIdx1.push(row.map((v, c) => edges.push({ from: `a${r}`, to: `cin${c}`, value: v, weight: W_CELL }) - 1));
  });
  const colIdx = exactCols.map((v, c) => edges.push({ from: `cin${c}`, to: `cout${c}`, value: v, weight: W_COLUMN }) - 1);
  const cellIdx2: number[][] = [];
  const rowIdx2: number[] = [];
  if (second) {
    second.forEach((row, r) => {
      cellIdx2.push(row.map((v, c) => edges.push({ from: `cout${c}`, to: `b${r}`, value: v, weight: W_CELL }) - 1));
      rowIdx2.push(edges.push({ from: `b${r}`, to: 'snk', value: rowSum(row), weight: W_ROW }) - 1);
    });
  } else {
    exactCols.forEach((v, c) => edges.push({ from: `cout${c}`, to: 'snk', value: v, weight: W_CELL }));
  }
  const u = roundCirculation(edges, unit);
  const columnTotals = colIdx.map((i) => u[i]!);
  const total = u[0]!;
  const out: RoundedSection[] = [{ cells: cellIdx1.map((row) => row.map((i) => u[i]!)), rowTotals: rowIdx1.map((i) => u[i]!) }];
  if (second) out.push({ cells: cellIdx2.map((row) => row.map((i) => u[i]!)), rowTotals: rowIdx2.map((i) => u[i]!) });

  // Further sections: columns and total held at the values above.
  for (const s of sections.slice(2)) {
    const e: FlowEdge[] = [{ from: 'snk', to: 'src', value: exactTotal, fixed: total }];
    const rowI: number[] = [];
    const cellI: number[][] = [];
    s.forEach((row, r) => {
      rowI.push(e.push({ from: 'src', to: `r${r}`, value: rowSum(row), weight: W_ROW }) - 1);
      cellI.push(row.map((v, c) => e.push({ from: `r${r}`, to: `c${c}`, value: v, weight: W_CELL }) - 1));
    });
    exactCols.forEach((v, c) => e.push({ from: `c${c}`, to: 'snk', value: v, fixed: columnTotals[c]! }));
    const w = roundCirculation(e, unit);
    out.push({ cells: cellI.map((row) => row.map((i) => w[i]!)), rowTotals: rowI.map((i) => w[i]!) });
  }
  return { sections: out, columnTotals, total };
}

/**
 * Rounds a list of amounts and their total so the displayed parts add up to the displayed
 * total (the total is rounded half up; each part to a neighbouring unit).
 *
 * @example
 * roundParts([4n, 4n, 4n], 10n); // { parts: [1n, 0n, 0n] (some order), total: 1n }
 */
export function roundParts(parts: readonly bigint[], unit: bigint): { parts: bigint[]; total: bigint } {
  const r = roundTwoWay([parts.map((p) => [p])], unit);
  return { parts: r.sections[0]!.rowTotals, total: r.total };
}
