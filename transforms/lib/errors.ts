/**
 * The one error class of this project. Every failure a user can cause (bad extract, bad
 * mapping, bad CLI flag, failed data test) is raised as a `CqError` with a stable `code`
 * and a message that names the file / row / column involved and says how to fix it.
 * The CLIs catch it once at the top (see `runCli`), print the message, and exit non-zero.
 *
 * @example
 * throw new CqError('EXTRACT_MISSING_COLUMN',
 *   'extracts/2026-10-31/loans.csv: required column "principal" is missing. Fix: add the column (see docs/extracts.md).',
 *   { file: 'extracts/2026-10-31/loans.csv', column: 'principal' });
 */
export class CqError extends Error {
  override readonly name = 'CqError';
  constructor(
    /** Stable machine-readable code, e.g. `EXTRACT_MISSING_FILE`. */
    readonly code: CqErrorCode,
    message: string,
    /** Where the problem is, when known. */
    readonly where: { file?: string; line?: number; column?: string; key?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Every error code in the product, so callers and tests can match on them. */
export type CqErrorCode =
  | 'CLI_USAGE'
  | 'DOCS_STALE'
  | 'EXTRACT_DIR_MISSING'
  | 'EXTRACT_NO_DATES'
  | 'EXTRACT_MISSING_FILE'
  | 'EXTRACT_DUPLICATE_FILE'
  | 'EXTRACT_MISSING_COLUMN'
  | 'EXTRACT_UNREADABLE'
  | 'EXTRACT_ENCODING'
  | 'EXTRACT_MANIFEST'
  | 'EXTRACT_STRUCTURE'
  | 'EXTRACT_OUTSIDE_DELIVERY'
  /** A loaded file rejected more rows than its limit (cq.config.json rejectLimits), or all of them: the load fails, the night does not publish, the month is not exported. */
  | 'REJECT_LIMIT'
  | 'MAPPING_INVALID'
  | 'MAPPING_UNKNOWN_COLUMN'
  | 'MAPPING_UNTRANSLATABLE_CODE'
  | 'MAPPING_FORBIDDEN'
  | 'WAREHOUSE_MISSING'
  | 'WAREHOUSE_LOCKED'
  | 'WAREHOUSE_COPY_FAILED'
  | 'ENGINE_UNSUPPORTED'
  | 'MODEL_INVALID'
  | 'DATA_TEST_FAILED'
  | 'METRIC_INVALID'
  /** A lender policy file (policy/*.yaml: grade rules, classification floor) or its folder is missing or invalid. */
  | 'POLICY_INVALID'
  | 'EXPORT_FAILED'
  | 'EXPORT_VERIFY_FAILED'
  | 'EXPORT_VALIDATION'
  /** The package would state amounts in CNY, but some loans are in a currency whose FX rate was not delivered. */
  | 'EXPORT_CURRENCY'
  /** The report site could not be built (Evidence failed or reported a problem, a source query was refused, the output references a remote host). */
  | 'SITE_BUILD_FAILED'
  /** Chromium (the headless browser of the PDF printer, the site tests and the bench) is not installed or not executable. */
  | 'CHROMIUM_MISSING'
  | 'SQL_FORBIDDEN'
  | 'SQL_TIMEOUT'
  | 'SQL_MEMORY'
  | 'SQL_ERROR'
  | 'RUN_ALREADY_RUNNING'
  | 'RUN_FAILED'
  | 'RUN_INTERRUPTED'
  /** A load changed a KPI of a closed month (cq close): the night publishes nothing until it is run with --restate (docs/operations.md). */
  | 'CLOSED_MONTH_CHANGED'
  /** A month cannot be closed: no KPI rows for it in the warehouse, or a bad --month. */
  | 'MONTH_CLOSE_FAILED'
  | 'AUDIT_FAILED'
  | 'INTERNAL';

/** True when `e` is a `CqError` (optionally with the given code). */
export function isCqError(e: unknown, code?: CqErrorCode): e is CqError {
  return e instanceof CqError && (code === undefined || e.code === code);
}
