import { ENTITIES } from '../contract/index.js';
import { quoteLiteral as lit, type WarehouseHandle } from '../../lib/duckdb.js';
import { CqError } from '../../lib/errors.js';
import { maskExpression } from '../contract/pii-masking.js';

/** Reject-rate limits of one entity's file: fractions of the rows read (0.05 = 5 %). */
export interface RejectLimit {
  /** Above this share of rejected rows: a warning line; the load and the night go on. */
  warn: number;
  /** Above this share: `npm run load` exits non-zero, the night fails before publish, exports refuse the month. */
  fail: number;
}

/** The publish gate's configuration (`rejectLimits` in cq.config.json). */
export interface RejectLimits extends RejectLimit {
  /** Per entity (contract name), overriding `warn` / `fail` for that entity's file. */
  perEntity: Record<string, Partial<RejectLimit>>;
}

/** Default: warn above 0.5 % of a file's rows rejected, fail above 5 %. */
export const DEFAULT_REJECT_LIMITS: RejectLimits = Object.freeze({ warn: 0.005, fail: 0.05, perEntity: Object.freeze({}) as Record<string, Partial<RejectLimit>> });

/**
 * Validates `rejectLimits` from a configuration file and fills in the defaults. Limits are
 * fractions between 0 and 1 (0.05 = 5 %); per-entity keys are contract entity names; warn may
 * not be above fail (after inheritance). Errors name the file and the key and say how to fix it.
 *
 * @example
 * parseRejectLimits({ fail: 0.02, perEntity: { surveys: { fail: 0.2 } } }, 'cq.config.json');
 * // { warn: 0.005, fail: 0.02, perEntity: { surveys: { fail: 0.2 } } }
 */
export function parseRejectLimits(value: unknown, file: string): RejectLimits {
  if (value === undefined) return { ...DEFAULT_REJECT_LIMITS, perEntity: {} };
  const bad = (key: string, why: string): never => {
    throw new CqError('CLI_USAGE', `${file}: ${key} ${why} (see docs/operations.md, "Reject limits").`, { file, key });
  };
  if (!isPlainObject(value)) bad('rejectLimits', 'must be an object such as {"warn": 0.005, "fail": 0.05, "perEntity": {"surveys": {"fail": 0.2}}}');
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!['warn', 'fail', 'perEntity'].includes(k)) bad(`rejectLimits.${k}`, 'is not a known key; known: warn, fail, perEntity');
  const fraction = (key: string, v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      bad(key, `must be a fraction of the rows read between 0 and 1 (0.05 = 5 %), got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  const warn = fraction('rejectLimits.warn', obj.warn) ?? DEFAULT_REJECT_LIMITS.warn;
  const fail = fraction('rejectLimits.fail', obj.fail) ?? DEFAULT_REJECT_LIMITS.fail;
  if (warn > fail) bad('rejectLimits', `has warn ${warn} above fail ${fail}; make warn at most fail`);
  const perEntity: Record<string, Partial<RejectLimit>> = {};
  if (obj.perEntity !== undefined) {
    if (!isPlainObject(obj.perEntity)) bad('rejectLimits.perEntity', 'must map entity names to {"warn": …, "fail": …}');
    const known = ENTITIES.map((e) => e.name);
    for (const [entity, limit] of Object.entries(obj.perEntity as Record<string, unknown>)) {
      const key = `rejectLimits.perEntity.${entity}`;
      if (!known.includes(entity as never)) bad(key, `is not an extract entity; entities: ${known.join(', ')}`);
      if (!isPlainObject(limit)) bad(key, 'must be an object such as {"fail": 0.2}');
      const l = limit as Record<string, unknown>;
      for (const k of Object.keys(l)) if (k !== 'warn' && k !== 'fail') bad(`${key}.${k}`, 'is not a known key; known: warn, fail');
      const own: Partial<RejectLimit> = {};
      const w = fraction(`${key}.warn`, l.warn);
      const f = fraction(`${key}.fail`, l.fail);
      if (w !== undefined) own.warn = w;
      if (f !== undefined) own.fail = f;
      const ew = own.warn ?? warn;
      const ef = own.fail ?? fail;
      if (ew > ef) {
        bad(key, `has warn ${ew}${own.warn === undefined ? ' (from rejectLimits.warn)' : ''} above fail ${ef}${own.fail === undefined ? ' (from rejectLimits.fail)' : ''}; set ${key}.${own.warn === undefined ? 'warn' : 'fail'} so that warn is at most fail`);
      }
      perEntity[entity] = own;
    }
  }
  return { warn, fail, perEntity };
}

/** The limits that apply to `entity`'s file. @example limitFor(DEFAULT_REJECT_LIMITS, 'loans') // { warn: 0.005, fail: 0.05 } */
export function limitFor(limits: RejectLimits, entity: string): RejectLimit {
  const own = limits.perEntity[entity] ?? {};
  return { warn: own.warn ?? limits.warn, fail: own.fail ?? limits.fail };
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

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
