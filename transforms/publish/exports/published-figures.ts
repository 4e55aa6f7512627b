import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { FIVE_CLASSES } from '../../policy/five-category.js';
import { roundCirculation, roundHalfUp, type FlowEdge } from './controlled-rounding.js';
/** Fen per 0.01 万元 (as report-table.ts FEN_PER_WAN_UNIT; not imported, report-table.ts imports this module's type). */
const FEN_PER_WAN_UNIT = 10_000n;

/**
 * The published figures of one package: every money figure that is printed, keyed by what it
 * measures (measure, population, month), rounded ONCE to 0.01 万元 and reused by every form that
 * prints it. Two tables that show "NPL balance of the whole book at 2026-10-31" read the same
 * entry, so they cannot disagree; a second publication of a key with a different exact amount is
 * a programming error (two populations under one name) and throws.
 *
 * Keys: `<measure>@<population>@<YYYY-MM>`, e.g. `balance@book@2026-10`, `npl@book@2026-10`,
 * `balance:次级@book@2026-10`, `balance:关注@loans:<population id>@2026-10`.
 *
 * @example
 * const figures = new PublishedFigures();
 * figures.halfUp('npl@book@2026-10', 116974_5000n); // 11697n (0.01 万元 units), or the value already published
 */
export class PublishedFigures {
  private readonly map = new Map<string, { units: bigint; fen: bigint }>();

  /** The published units of a key, if published. */
  get(key: string): bigint | undefined {
    return this.map.get(key)?.units;
  }

  /** Publishes `units` for `key` (exact amount `fen`); throws if the key holds another value or population. */
  set(key: string, fen: bigint, units: bigint): bigint {
    const old = this.map.get(key);
    if (old) {
      if (old.fen !== fen || old.units !== units) throw new Error(`published figure ${key}: ${old.units} units (exact ${old.fen} fen) already published, now ${units} (exact ${fen})`);
      return units;
    }
    this.map.set(key, { units, fen });
    return units;
  }

  /** The published value of `key`, or `fen` rounded half up and published. */
  halfUp(key: string, fen: bigint): bigint {
    const old = this.map.get(key);
    if (old) {
      if (old.fen !== fen) throw new Error(`published figure ${key}: exact ${old.fen} fen already published, now ${fen}`);
      return old.units;
    }
    return this.set(key, fen, signedHalfUp(fen));
  }

  /** Every key with its units (sorted), e.g. for tests. */
  entries(): [string, bigint][] {
    return [...this.map.entries()].map(([k, v]) => [k, v.units] as [string, bigint]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }
}

function signedHalfUp(fen: bigint): bigint {
  return fen < 0n ? -roundHalfUp(-fen, FEN_PER_WAN_UNIT) : roundHalfUp(fen, FEN_PER_WAN_UNIT);
}

/** Key of a published figure. @example figureKey('npl', 'book', '2026-10-31') // 'npl@book@2026-10' */
export function figureKey(measure: string, population: string, month: string): string {
  return `${measure}@${population}@${month.slice(0, 7)}`;
}

/**
 * Publishes the whole book's balances of a month: total (half up), NPL (half up), performing,
 * and each class, rounded as one tree (total → NPL / performing → classes) so the classes add
 * up to NPL and performing and those to the total. Keys `balance@book@M`, `npl@book@M`,
 * `performing@book@M`, `balance:<class>@book@M`.
 *
 * @example
 * publishBook(figures, '2026-10-31', [{ cls: '正常', npl: false, fen: 10_0000n }, { cls: '次级', npl: true, fen: 5_0000n }]);
 */
export function publishBook(figures: PublishedFigures, month: string, classes: readonly { cls: string; npl: boolean; fen: bigint }[]): void {
  const total = classes.reduce((a, c) => a + c.fen, 0n);
  const npl = classes.filter((c) => c.npl).reduce((a, c) => a + c.fen, 0n);
  const edges: FlowEdge[] = [
    { from: 'snk', to: 'src', value: total, fixed: figures.get(figureKey('balance', 'book', month)) ?? true, weight: 8 },
    { from: 'src', to: 'npl', value: npl, fixed: figures.get(figureKey('npl', 'book', month)) ?? true, weight: 8 },
    { from: 'src', to: 'perf', value: total - npl, weight: 4 },
    ...classes.map((c): FlowEdge => ({ from: c.npl ? 'npl' : 'perf', to: 'snk', value: c.fen, weight: 2 })),
  ];
  const u = roundCirculation(edges, FEN_PER_WAN_UNIT);
  figures.set(figureKey('balance', 'book', month), total, u[0]!);
  figures.set(figureKey('npl', 'book', month), npl, u[1]!);
  figures.set(figureKey('performing', 'book', month), total - npl, u[2]!);
  classes.forEach((c, i) => figures.set(figureKey(`balance:${c.cls}`, 'book', month), c.fen, u[3 + i]!));
}

/**
 * Publishes the whole book's balances of a month end (total, NPL, performing, each class) from the
 * on-book loans of core.fct_loan_month_ends ({@link publishBook}): once per package for the export
 * month before any form is built, and for the start of a migration period by the loan-migration
 * form — the same figures, rounded the same way, as that month's own package prints.
 *
 * @example
 * await publishBookFigures(wh, '2026-10-31', figures);
 * // SQL: SELECT recorded_class, bool_or(is_npl), sum(CAST(on_book_balance * 100 AS BIGINT)) FROM core.fct_loan_month_ends WHERE as_of_month = '2026-10-31' AND is_on_book GROUP BY 1
 */
export async function publishBookFigures(wh: WarehouseHandle, asOfDate: string, figures: PublishedFigures): Promise<void> {
  const rows = await wh.all<{ cls: string; npl: boolean; fen: bigint }>(
    `SELECT recorded_class AS cls, bool_or(is_npl) AS npl, sum(CAST(on_book_balance * 100 AS BIGINT))::BIGINT AS fen
     FROM core.fct_loan_month_ends WHERE as_of_month = ${lit(asOfDate)}::DATE AND is_on_book GROUP BY 1`,
  );
  const by = new Map(rows.map((r) => [r.cls, r]));
  publishBook(figures, asOfDate, FIVE_CLASSES.map((c) => ({ cls: c, npl: by.get(c)?.npl ?? false, fen: by.get(c)?.fen ?? 0n })));
}
