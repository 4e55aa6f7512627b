/**
 * Controlled rounding of additive tables: every amount is rounded to a neighbouring multiple of
 * the display unit (floor or ceiling, never further) AND every displayed total equals the sum of
 * the displayed parts. Conventional rounding cannot promise both (three rows of 0.004 round to 0,
 * their total 0.012 to 0.01).
 *
 * The table is given as a circulation: nodes, and edges carrying non-negative exact amounts,
 * with flow conserved at every node (what comes in goes out). A two-way table with row totals,
 * column totals and a grand total is such a network (total → rows → cells → columns → total),
 * and so is a roll-forward (opening + additions → node → reductions + closing). Because the
 * exact amounts are a feasible flow, an integer flow with every edge within one unit of its
 * exact amount exists (integrality of network flows); it is found by a max-flow with lower
 * bounds, then improved by cancelling negative cycles to minimise the weighted rounding error
 * Σ weight × |displayed − exact|. Deterministic: same input, same output.
 *
 * @example
 * // 3 rows of 0.4, total 1.2 (unit 1): rows round to [1, 0, 0] (or a permutation), total to 1.
 * roundCirculation([
 *   { from: 'T', to: 'r1', value: 4n }, { from: 'T', to: 'r2', value: 4n }, { from: 'T', to: 'r3', value: 4n },
 *   { from: 'r1', to: 'S', value: 4n }, { from: 'r2', to: 'S', value: 4n }, { from: 'r3', to: 'S', value: 4n },
 *   { from: 'S', to: 'T', value: 12n, fixed: true },
 * ], 10n); // → units per edge
 */

/** One edge of the circulation. */
export interface FlowEdge {
  from: string;
  to: string;
  /** Exact amount in base units (e.g. fen), ≥ 0. */
  value: bigint;
  /**
   * `true`: round this edge conventionally (half up) and hold it there (e.g. a grand total that
   * other reports also show). A bigint: hold it at exactly that many display units (e.g. column
   * totals already displayed by another table). Default: free (floor or ceiling).
   */
  fixed?: boolean | bigint;
  /** Weight of this edge's rounding error in the objective (totals > cells). Default 1. */
  weight?: number;
}

/** Conventional half-up rounding of a non-negative amount to whole units. @example roundHalfUp(15n, 10n) // 2n */
export function roundHalfUp(value: bigint, unit: bigint): bigint {
  if (value < 0n) throw new Error(`roundHalfUp: negative amount ${value}`);
  const q = value / unit;
  return (value % unit) * 2n >= unit ? q + 1n : q;
}

interface Arc {
  to: number;
  cap: number;
  rev: number;
}

/**
 * Rounds every edge of a circulation to whole `unit`s, keeping flow conservation. Returns the
 * number of units per edge (same order as `edges`). Throws if the input does not conserve flow or
 * if fixed edges make rounding impossible.
 *
 * @example
 * const units = roundCirculation(edges, 10_000n); // fen → 0.01 万元
 */
export function roundCirculation(edges: readonly FlowEdge[], unit: bigint): bigint[] {
  if (unit <= 0n) throw new Error('roundCirculation: unit must be positive');
  const names = new Map<string, number>();
  const node = (n: string) => {
    let i = names.get(n);
    if (i === undefined) names.set(n, (i = names.size));
    return i;
  };
  const balance = new Map<string, bigint>();
  for (const e of edges) {
    if (e.value < 0n) throw new Error(`roundCirculation: negative amount on ${e.from}→${e.to}`);
    balance.set(e.from, (balance.get(e.from) ?? 0n) - e.value);
    balance.set(e.to, (balance.get(e.to) ?? 0n) + e.value);
  }
  for (const [n, b] of balance) if (b !== 0n) throw new Error(`roundCirculation: flow not conserved at "${n}" (off by ${b})`);

  const lo: bigint[] = [];
  const span: number[] = []; // 0 or 1: units above the floor the edge may take
  const cost: number[] = []; // change in weighted error when the edge goes from lo to lo + 1
  for (const e of edges) {
    const q = e.value / unit;
    const r = e.value % unit;
    const w = e.weight ?? 1;
    if (typeof e.fixed === 'bigint') {
      if (e.fixed !== q && !(r > 0n && e.fixed === q + 1n)) {
        throw new Error(`roundCirculation: ${e.from}→${e.to} fixed at ${e.fixed} units, not next to ${e.value}/${unit}`);
      }
      lo.push(e.fixed);
      span.push(0);
    } else if (e.fixed) {
      lo.push(roundHalfUp(e.value, unit));
      span.push(0);
    } else {
      lo.push(q);
      span.push(r === 0n ? 0 : 1);
    }
    cost.push(w * Number(unit - 2n * r));
  }
  for (const e of edges) {
    node(e.from);
    node(e.to);
  }
  const n = names.size;
  const S = n;
  const T = n + 1;
  const graph: Arc[][] = Array.from({ length: n + 2 }, () => []);
  const addArc = (u: number, v: number, cap: number): [number, number] => {
    graph[u]!.push({ to: v, cap, rev: graph[v]!.length });
    graph[v]!.push({ to: u, cap: 0, rev: graph[u]!.length - 1 });
    return [u, graph[u]!.length - 1];
  };
  // Lower-bound transformation: excess of the floors at each node is fed from S / drained to T.
  const excess = new Array<bigint>(n).fill(0n);
  const edgeArc: [number, number][] = [];
  edges.forEach((e, i) => {
    const u = node(e.from);
    const v = node(e.to);
    excess[v]! += lo[i]!;
    excess[u]! -= lo[i]!;
    edgeArc.push(addArc(u, v, span[i]!));
  });
  let need = 0;
  for (let v = 0; v < n; v++) {
    const x = excess[v]!;
    if (x > 0n) {
      addArc(S, v, Number(x));
      need += Number(x);
    } else if (x < 0n) addArc(v, T, Number(-x));
  }
  if (maxFlow(graph, S, T) !== need) {
    throw new Error('roundCirculation: no consistent rounding exists with the fixed edges');
  }
  // Negative-cycle cancelling on the residual graph of the real edges (not S / T).
  const flowOf = (i: number) => {
    const [u, k] = edgeArc[i]!;
    return span[i]! - graph[u]![k]!.cap; // 0 or 1 units above the floor
  };
  const up = edges.map((_, i) => flowOf(i));
  for (let guard = 0; guard < 100 * edges.length + 100; guard++) {
    const cycle = findNegativeCycle(n, edges.map((e) => [node(e.from), node(e.to)] as const), span, up, cost);
    if (!cycle) break;
    for (const [i, dir] of cycle) up[i]! += dir;
  }
  return edges.map((_, i) => lo[i]! + BigInt(up[i]!));
}

function maxFlow(graph: Arc[][], s: number, t: number): number {
  let total = 0;
  for (;;) {
    const prev: ([number, number] | undefined)[] = new Array(graph.length).fill(undefined);
    const queue = [s];
    const seen = new Set([s]);
    while (queue.length && !seen.has(t)) {
      const u = queue.shift()!;
      graph[u]!.forEach((a, k) => {
        if (a.cap > 0 && !seen.has(a.to)) {
          seen.add(a.to);
          prev[a.to] = [u, k];
          queue.push(a.to);
        }
      });
    }
    if (!seen.has(t)) return total;
    let bottleneck = Infinity;
    for (let v = t; v !== s; ) {
      const [u, k] = prev[v]!;
      bottleneck = Math.min(bottleneck, graph[u]![k]!.cap);
      v = u;
    }
    for (let v = t; v !== s; ) {
      const [u, k] = prev[v]!;
      const a = graph[u]![k]!;
      a.cap -= bottleneck;
      graph[a.to]![a.rev]!.cap += bottleneck;
      v = u;
    }
    total += bottleneck;
  }
}

/** Bellman–Ford from a virtual source; returns the edges of one negative cycle as [edge, ±1]. */
function findNegativeCycle(
  n: number,
  ends: readonly (readonly [number, number])[],
  span: readonly number[],
  up: readonly number[],
  cost: readonly number[],
): [number, number][] | undefined {
  // Residual arcs: forward (raise by one unit) when up = 0 < span, backward (lower) when up = 1.
  const arcs: { u: number; v: number; w: number; edge: number; dir: number }[] = [];
  ends.forEach(([u, v], i) => {
    if (span[i] === 0) return;
    if (up[i] === 0) arcs.push({ u, v, w: cost[i]!, edge: i, dir: 1 });
    else arcs.push({ u: v, v: u, w: -cost[i]!, edge: i, dir: -1 });
  });
  const dist = new Array<number>(n).fill(0);
  const pred = new Array<number>(n).fill(-1);
  let last = -1;
  for (let iter = 0; iter < n; iter++) {
    last = -1;
    for (let a = 0; a < arcs.length; a++) {
      const { u, v, w } = arcs[a]!;
      if (dist[u]! + w < dist[v]!) {
        dist[v] = dist[u]! + w;
        pred[v] = a;
        last = v;
      }
    }
    if (last === -1) return undefined;
  }
  // `last` was relaxed in the n-th pass: walk back n steps to land on the cycle.
  let v = last;
  for (let i = 0; i < n; i++) v = arcs[pred[v]!]!.u;
  const cycle: [number, number][] = [];
  let total = 0;
  for (let x = v; ; ) {
    const a = arcs[pred[x]!]!;
    cycle.push([a.edge, a.dir]);
    total += a.w;
    x = a.u;
    if (x === v) break;
  }
  return total < 0 ? cycle : undefined;
}
