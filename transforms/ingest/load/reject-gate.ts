import { ENTITIES } from '../contract/index.js';
import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError } from '../../lib/errors.js';
import { maskExpression } from '../contract/pii-masking.js';
import { limitFor, rejectLimitsError, type RejectLimit, type RejectLimits } from '../../config/reject-limits.js';

export { DEFAULT_REJECT_LIMITS, limitFor, parseRejectLimits } from '../../config/reject-limits.js';
export type { RejectLimit, RejectLimits } from '../../config/reject-limits.js';

/**
 * Checks that every per-entity key of `rejectLimits` is a contract entity name (the shape and
 * the values were checked when the configuration was read, see `parseRejectLimits`). The error
 * names the file and the key and lists the entities.
 *
 * @example
 * checkRejectLimitEntities(config.rejectLimits, 'cq.config.json'); // throws CLI_USAGE for "survey"
 */
export function checkRejectLimitEntities(limits: RejectLimits, file: string): void {
  const known = ENTITIES.map((e) => e.name);
  for (const entity of Object.keys(limits.perEntity)) {
    if (!known.includes(entity as never)) throw rejectLimitsError(file, `rejectLimits.perEntity.${entity}`, `is not an extract entity; entities: ${known.join(', ')}`);
  }
}

/** One reject reason of a file: the reason code and column, how many rows, and the first line with it. */
export interface RejectReason {
  reasonCode: string;
  column: string | null;
  rows: number;
  /** The first line (of the delivered file) rejected for this reason. */
  exampleLine: number;
  /** Its message without the file / line / column prefix (quoted values of personal-data columns masked). */
  exampleMessage: string;
}

/** The gate's verdict on one loaded file (one row of `ops.load_audit`). */
export interface FileRejectCheck {
  businessDate: string;
  entity: string;
  path: string;
  read: number;
  loaded: number;
  rejected: number;
  /** rejected / read (0 for a file without rows). */
  rate: number;
  limit: RejectLimit;
  /** `fail`: above the fail limit, or every row rejected; `warn`: above the warn limit. */
  level: 'ok' | 'warn' | 'fail';
  /** Every row of a non-empty file was rejected (fails whatever the limit). */
  allRejected: boolean;
  /** The three most frequent reasons (warn and fail only). */
  reasons: RejectReason[];
}

/**
 * The publish gate: checks the reject rate of every file loaded for the given business dates
 * (or every date of a business month), from `ops.load_audit`, against `limits`, and reads the
 * top three reasons of each file above its warn limit from `ops.rejected_rows`. A file fails
 * when more than `fail` of its rows were rejected, or when all of them were (even 1 of 1);
 * it warns above `warn`. Returns every file, worst first.
 *
 * @example
 * const checks = await checkRejectRates(wh, { businessDates: ['2026-10-31'] }, DEFAULT_REJECT_LIMITS);
 * checks.filter((c) => c.level === 'fail'); // files that stop the night
 */
export async function checkRejectRates(wh: WarehouseHandle, scope: { businessDates: readonly string[] } | { month: string }, limits: RejectLimits): Promise<FileRejectCheck[]> {
  const where =
    'month' in scope
      ? `strftime(business_date, '%Y-%m') = ${lit(scope.month)}`
      : scope.businessDates.length
        ? `business_date IN (${scope.businessDates.map((d) => `DATE ${lit(d)}`).join(', ')})`
        : 'false';
  const files = await wh.all<{ d: string; entity: string; path: string; read: bigint; loaded: bigint; rejected: bigint }>(
    `SELECT strftime(business_date, '%Y-%m-%d') AS d, entity, path, rows_read AS read, rows_loaded AS loaded, rows_rejected AS rejected
     FROM ops.load_audit WHERE ${where} ORDER BY business_date, entity`,
  );
  const checks: FileRejectCheck[] = [];
  for (const f of files) {
    const read = Number(f.read);
    const loaded = Number(f.loaded);
    const rejected = Number(f.rejected);
    const rate = read > 0 ? rejected / read : 0;
    const limit = limitFor(limits, f.entity);
    const allRejected = read > 0 && loaded === 0;
    const level = allRejected || rate > limit.fail ? 'fail' : rate > limit.warn ? 'warn' : 'ok';
    checks.push({ businessDate: f.d, entity: f.entity, path: f.path, read, loaded, rejected, rate, limit, level, allRejected, reasons: level === 'ok' ? [] : await topReasons(wh, f.d, f.entity) });
  }
  const order = { fail: 0, warn: 1, ok: 2 } as const;
  return checks.sort((a, b) => order[a.level] - order[b.level]);
}

/** The three most frequent (reason code, column) of a file's rejects, each with its first line. */
async function topReasons(wh: WarehouseHandle, businessDate: string, entity: string): Promise<RejectReason[]> {
  const rows = await wh.all<{ code: string; col: string | null; n: bigint; line: bigint; message: string }>(
    `SELECT reason_code AS code, column_name AS col, count(*) AS n, min(line) AS line,
            arg_min(${maskExpression('reason', 'reason')}, line) AS message
     FROM ops.rejected_rows WHERE business_date = DATE ${lit(businessDate)} AND entity = ${lit(entity)}
     GROUP BY reason_code, column_name ORDER BY n DESC, line LIMIT 3`,
  );
  // Messages start with "<file>: line N, column C: ", which the report says already.
  const located = /^.*?: line \d+(?:, column [^:]+)?: /;
  return rows.map((r) => ({ reasonCode: r.code, column: r.col, rows: Number(r.n), exampleLine: Number(r.line), exampleMessage: r.message.replace(located, '') }));
}

/** `12.3 %` (one decimal; `0.4 %` for small shares, never `0.0 %` when some rows were rejected). */
function percent(x: number): string {
  const p = x * 100;
  return `${p > 0 && p < 0.05 ? p.toFixed(2) : p.toFixed(1)} %`;
}

/**
 * One file's verdict as text: the file, its counts and limit, then its top reasons, one per line.
 *
 * @example
 * describeRejectCheck(check);
 * // 'data/extracts/2026-09-30/loans.csv (loans, 2026-09-30): read 3, loaded 0, rejected 3 (100.0 %, every row rejected; fail above 5.0 %)
 * //     invalid_code in currency: 2 rows, e.g. line 2: currency 'EURO' is not …'
 */
export function describeRejectCheck(c: FileRejectCheck): string {
  const over = c.allRejected ? 'every row rejected' : c.level === 'fail' ? `above the fail limit ${percent(c.limit.fail)}` : `above the warn limit ${percent(c.limit.warn)}`;
  const head = `${c.path} (${c.entity}, ${c.businessDate}): read ${c.read.toLocaleString('en')}, loaded ${c.loaded.toLocaleString('en')}, rejected ${c.rejected.toLocaleString('en')} (${percent(c.rate)}, ${over})`;
  const reasons = c.reasons.map((r) => `    ${r.reasonCode}${r.column ? ` in ${r.column}` : ''}: ${r.rows.toLocaleString('en')} row${r.rows === 1 ? '' : 's'}, e.g. line ${r.exampleLine}: ${r.exampleMessage}`);
  return [head, ...reasons].join('\n');
}

/**
 * The error for files that failed the gate (`REJECT_LIMIT`): each file with its counts and top
 * three reasons, and what to do. `action` says what was refused (e.g. "the night publishes nothing").
 *
 * @example
 * throw rejectLimitError(checks.filter((c) => c.level === 'fail'), 'the night publishes nothing', 'cq.config.json');
 */
export function rejectLimitError(failed: readonly FileRejectCheck[], action: string, configFile = 'cq.config.json'): CqError {
  const entities = [...new Set(failed.map((c) => c.entity))];
  return new CqError(
    'REJECT_LIMIT',
    `${failed.length} extract file(s) rejected too many rows, so ${action}:\n${failed.map((c) => `  ${describeRejectCheck(c)}`).join('\n')}\n` +
      `Fix: correct the file(s) and have them re-delivered, then load the date again (every rejected row is in ops.rejected_rows with its line, column and reason). ` +
      `If these rejects are expected and accepted, raise the limit in ${configFile}: "rejectLimits": {"perEntity": {"${entities[0]}": {"fail": …}}} (docs/operations.md, "Reject limits"); a file whose every row is rejected fails whatever the limit.`,
    { file: failed[0]?.path ?? configFile },
  );
}

/**
 * Applies the gate to the files of `scope`: prints a warning line (with reasons) for each file
 * above its warn limit, and throws {@link rejectLimitError} when any file fails.
 *
 * @example
 * await enforceRejectGate(wh, { businessDates: ['2026-10-31'] }, config.rejectLimits, { action: 'the night publishes nothing', warn: console.warn });
 */
export async function enforceRejectGate(
  wh: WarehouseHandle,
  scope: { businessDates: readonly string[] } | { month: string },
  limits: RejectLimits,
  options: { action: string; configFile?: string; warn?: (line: string) => void },
): Promise<FileRejectCheck[]> {
  const checks = await checkRejectRates(wh, scope, limits);
  for (const c of checks.filter((x) => x.level === 'warn')) options.warn?.(`warning: ${describeRejectCheck(c)}`);
  const failed = checks.filter((c) => c.level === 'fail');
  if (failed.length) throw rejectLimitError(failed, options.action, options.configFile);
  return checks;
}
