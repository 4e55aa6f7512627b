import { CqError } from '../lib/errors.js';

/** Reject-rate limits of one entity's file: fractions of the rows read (0.05 = 5 %). */
export interface RejectLimit {
  /** Above this share of rejected rows: a warning line; the load and the night go on. */
  warn: number;
  /** Above this share: `cq load` exits non-zero, the night fails before publish, exports refuse the month. */
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
 * The error for a bad `rejectLimits` key of a configuration file: names the file and the key and
 * points to the documentation. Used here and by the entity-name check of the load stage.
 *
 * @example
 * throw rejectLimitsError('cq.config.json', 'rejectLimits.fail', 'must be a fraction …');
 */
export function rejectLimitsError(file: string, key: string, why: string): CqError {
  return new CqError('CLI_USAGE', `${file}: ${key} ${why} (see docs/operations.md, "Reject limits").`, { file, key });
}

/**
 * Validates the shape of `rejectLimits` from a configuration file and fills in the defaults.
 * Limits are fractions between 0 and 1 (0.05 = 5 %); warn may not be above fail (after
 * inheritance). Errors name the file and the key and say how to fix it. Whether the per-entity
 * keys are contract entity names is checked by the load stage (`checkRejectLimitEntities` in
 * transforms/ingest/load/reject-gate.ts), which knows the contract.
 *
 * @example
 * parseRejectLimits({ fail: 0.02, perEntity: { surveys: { fail: 0.2 } } }, 'cq.config.json');
 * // { warn: 0.005, fail: 0.02, perEntity: { surveys: { fail: 0.2 } } }
 */
export function parseRejectLimits(value: unknown, file: string): RejectLimits {
  if (value === undefined) return { ...DEFAULT_REJECT_LIMITS, perEntity: {} };
  const bad = (key: string, why: string): never => {
    throw rejectLimitsError(file, key, why);
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
    for (const [entity, limit] of Object.entries(obj.perEntity as Record<string, unknown>)) {
      const key = `rejectLimits.perEntity.${entity}`;
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

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
