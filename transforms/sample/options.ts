import { CqError } from '../lib/errors.js';
import { parseMonth } from './calendar.js';
import { FAULT_NAMES, type FaultName } from './fault-names.js';

/** Output text encoding of CSV files. */
export type SampleEncoding = 'utf-8' | 'gb18030';

/** Output file format. */
export type SampleFormat = 'csv' | 'parquet';

/** What to generate (the programmatic form of the `generate` CLI flags). */
export interface GenerateOptions {
  /** Number of customers (all of them appear in the extracts). */
  customers: number;
  /** Number of business dates (month ends). */
  months: number;
  /** Seed of the deterministic randomness: same options → byte-identical files. */
  seed: number;
  /** Output directory; receives one `YYYY-MM-DD/` folder per business date. Must be empty or absent unless `overwrite`. */
  out: string;
  /** First business month `YYYY-MM`. Default `2024-11`. */
  startMonth?: string;
  /** CSV encoding. Default `utf-8`; `gb18030` also writes `<date>/manifest.json`. */
  encoding?: SampleEncoding;
  /** File format. Default `csv`. */
  format?: SampleFormat;
  /** Faults to inject into the last business date's files (see `injectFault`); applied in `FAULT_NAMES` order. */
  faults?: FaultName[];
  /** Remove existing `YYYY-MM-DD` folders in `out` first instead of refusing. */
  overwrite?: boolean;
  /** DuckDB memory limit for the generation. Default `2GB` (the process peaks about 1 GB above it). */
  memoryLimit?: string;
  /** Where DuckDB may spill when over `memoryLimit`. Default: a fresh folder in the OS temp dir (removed afterwards). */
  workDir?: string;
  /** Progress messages (the CLI prints them). */
  onProgress?: (message: string) => void;
}

/** Options after defaults and validation. */
export interface ResolvedOptions extends Required<Omit<GenerateOptions, 'workDir' | 'onProgress'>> {
  workDir: string | undefined;
  onProgress: (message: string) => void;
}

/** Largest supported customer count (ids, ID numbers and phone numbers stay unique below it). */
export const MAX_CUSTOMERS = 16_000_000;

/** Largest supported number of business dates. */
export const MAX_MONTHS = 120;

/**
 * Applies defaults and validates options; user mistakes raise `CqError('CLI_USAGE')`.
 *
 * @example
 * resolveOptions({ customers: 200, months: 4, seed: 1, out: 'x' }).startMonth; // '2024-11'
 */
export function resolveOptions(options: GenerateOptions): ResolvedOptions {
  const usage = (message: string): never => {
    throw new CqError('CLI_USAGE', message);
  };
  const { customers, months, seed } = options;
  if (!Number.isSafeInteger(customers) || customers < 1 || customers > MAX_CUSTOMERS)
    usage(`--customers must be an integer from 1 to ${MAX_CUSTOMERS}, got ${customers}.`);
  if (!Number.isSafeInteger(months) || months < 1 || months > MAX_MONTHS)
    usage(`--months must be an integer from 1 to ${MAX_MONTHS}, got ${months}.`);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 2 ** 31 - 1)
    usage(`--seed must be an integer from 0 to ${2 ** 31 - 1}, got ${seed}.`);
  if (!options.out) usage('--out is required (the directory to write the extracts to).');
  const startMonth = options.startMonth ?? '2024-11';
  if (parseMonth(startMonth) === undefined) usage(`--start-month must look like 2024-11, got "${startMonth}".`);
  const encoding = options.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'gb18030') usage(`--encoding must be utf-8 or gb18030, got "${String(encoding)}".`);
  const format = options.format ?? 'csv';
  if (format !== 'csv' && format !== 'parquet') usage(`--format must be csv or parquet, got "${String(format)}".`);
  if (format === 'parquet' && encoding !== 'utf-8') usage('--encoding applies to CSV only; drop it or use --format csv.');
  const requested = new Set<string>(options.faults ?? []);
  for (const f of requested)
    if (!(FAULT_NAMES as readonly string[]).includes(f)) usage(`unknown --fault "${f}"; known: ${FAULT_NAMES.join(', ')}.`);
  // applied in the canonical order of FAULT_NAMES, whatever order they were asked in
  const faults: FaultName[] = FAULT_NAMES.filter((f) => requested.has(f));
  if (faults.length > 0 && format !== 'csv') usage('--fault applies to CSV extracts only; use --format csv.');
  return {
    customers,
    months,
    seed,
    out: options.out,
    startMonth,
    encoding,
    format,
    faults,
    overwrite: options.overwrite ?? false,
    memoryLimit: options.memoryLimit ?? '2GB',
    workDir: options.workDir,
    onProgress: options.onProgress ?? (() => {}),
  };
}
