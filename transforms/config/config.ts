import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CqError } from '../lib/errors.js';
import { DEFAULT_REJECT_LIMITS, parseRejectLimits, type RejectLimits } from '../ingest/load/reject-gate.js';
import { loadPolicy } from '../policy/read-policy.js';
import { publishAccess } from '../operations/permissions.js';

/** Operator configuration of the nightly job (`cq.config.json` at the project root; all keys optional). */
export interface NightlyConfig {
  /** Folder of business-date extract folders. */
  extractsDir: string;
  /** Data folder: published warehouse, site, runs ledger, locks, work files. */
  dataDir: string;
  /** Cron expression for `npm run schedule` (local time), e.g. "30 2 * * *". */
  schedule: string;
  /** DuckDB memory limit for pipeline steps; larger steps spill to `<dataDir>/work/tmp`. */
  memoryLimit: string;
  /** DuckDB threads (default: all cores). */
  threads?: number;
  /** Build the Evidence site as part of the run. */
  buildSite: boolean;
  /** Write regulator export packages for the months the run touched (when the export module exists). */
  buildExports: boolean;
  /** Webhook called with the run summary when a run fails (and on success if `webhookOnSuccess`). */
  webhookUrl?: string;
  webhookOnSuccess?: boolean;
  /**
   * Group that may read what the nightly publishes (warehouse, site, exports, status, logs,
   * ledger): files 0640 and folders 0750 owned by this group. Without it everything is
   * owner-only (0600 / 0700). See docs/operations.md, "Permissions".
   */
  publishGroup?: string;
  /**
   * Audit log of unmasked personal-data access (analyst console `--unmasked`, unmasked export
   * packages): one JSON line per access, written before the data is shown. Only this file sets it.
   */
  sqlAuditLog: string;
  /**
   * Lender policy folder: `customer-grading.yaml`, `classification-floor.yaml` and `kpi-rules.yaml`
   * (grade rules, classification floor, KPI rules; policy/README.md). Default: the shipped `policy/`.
   * Checked when the config is read.
   */
  policyDir?: string;
  /**
   * The publish gate: share of a file's rows that may be rejected (0.05 = 5 %) before a warning
   * (`warn`) or before the load fails, the night does not publish and exports refuse the month
   * (`fail`); `perEntity` overrides per entity. Default warn 0.005, fail 0.05. See docs/operations.md.
   */
  rejectLimits: RejectLimits;
  /**
   * `required` (default): a night whose regulator PDF cannot be printed (no Chromium) fails.
   * `optional`: the PDF is skipped when Chromium is not installed, the rest is published, and the
   * run's status.json and the package manifest say "pdf skipped" with the command that adds it
   * (`npm run demo` uses this; `nightly --pdf-optional`).
   */
  exportPdf: 'required' | 'optional';
}

export const DEFAULT_CONFIG: NightlyConfig = {
  extractsDir: 'data/extracts',
  dataDir: 'data',
  schedule: '30 2 * * *',
  memoryLimit: '3GB',
  buildSite: true,
  buildExports: true,
  sqlAuditLog: 'logs/sql-audit.ndjson',
  rejectLimits: DEFAULT_REJECT_LIMITS,
  exportPdf: 'required',
};

/** Paths derived from the data folder. */
export interface NightlyPaths {
  dataDir: string;
  /** The published warehouse: replaced only by an atomic rename. */
  warehouse: string;
  /** The published site: a symlink swapped atomically to `sites/<run-id>`. */
  site: string;
  sitesDir: string;
  workDir: string;
  runsDir: string;
  ledger: string;
  status: string;
  lock: string;
  logsDir: string;
  exportsDir: string;
}

/** Derives every path of the nightly job from the data folder. @example nightlyPaths('data').warehouse // '/abs/data/warehouse.duckdb' */
export function nightlyPaths(dataDir: string): NightlyPaths {
  const d = resolve(dataDir);
  return {
    dataDir: d,
    warehouse: join(d, 'warehouse.duckdb'),
    site: join(d, 'site'),
    sitesDir: join(d, 'sites'),
    workDir: join(d, 'work'),
    runsDir: join(d, 'runs'),
    ledger: join(d, 'runs', 'ledger.ndjson'),
    status: join(d, 'status.json'),
    lock: join(d, 'nightly.lock'),
    logsDir: join(d, 'logs'),
    exportsDir: join(d, 'exports'),
  };
}

/**
 * Reads `cq.config.json` (if present) over the defaults; `overrides` (CLI flags) win.
 *
 * @example
 * const config = loadConfig({ extractsDir: 'test/x' });
 */
export function loadConfig(overrides: Partial<NightlyConfig> = {}, file = 'cq.config.json'): NightlyConfig {
  let fromFile: Partial<NightlyConfig> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Partial<NightlyConfig>;
    } catch (e) {
      throw new CqError('CLI_USAGE', `${file}: not valid JSON (${(e as Error).message}).`, { file });
    }
    const known = new Set(Object.keys(DEFAULT_CONFIG).concat(['threads', 'webhookUrl', 'webhookOnSuccess', 'publishGroup', 'policyDir']));
    for (const k of Object.keys(fromFile)) {
      if (!known.has(k)) throw new CqError('CLI_USAGE', `${file}: unknown key "${k}". Known: ${[...known].join(', ')}.`, { file, key: k });
    }
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const config: NightlyConfig = { ...DEFAULT_CONFIG, ...fromFile, ...defined };
  if (typeof config.sqlAuditLog !== 'string' || config.sqlAuditLog.trim() === '') {
    throw new CqError('CLI_USAGE', `${file}: sqlAuditLog must be the path of the audit log file, e.g. "logs/sql-audit.ndjson".`, { file, key: 'sqlAuditLog' });
  }
  config.rejectLimits = overrides.rejectLimits ?? parseRejectLimits(fromFile.rejectLimits, file);
  if (config.exportPdf !== 'required' && config.exportPdf !== 'optional') {
    throw new CqError('CLI_USAGE', `${file}: exportPdf must be "required" (a night without its PDF fails; the default) or "optional" (skip the PDF when Chromium is not installed), got ${JSON.stringify(config.exportPdf)}.`, { file, key: 'exportPdf' });
  }
  if (config.publishGroup !== undefined) {
    if (typeof config.publishGroup !== 'string' || config.publishGroup === '') {
      throw new CqError('CLI_USAGE', `${file}: publishGroup must be a group name, e.g. "cq-readers" (or remove it: files are then owner-only).`, { file, key: 'publishGroup' });
    }
    publishAccess(config.publishGroup, file); // the group exists and the user may give files to it
  }
  if (config.policyDir !== undefined) {
    if (typeof config.policyDir !== 'string' || config.policyDir.trim() === '') {
      throw new CqError('CLI_USAGE', `${file}: policyDir must be the path of a policy folder, e.g. "policy-bank" (or remove it: the shipped policy/ is used).`, { file, key: 'policyDir' });
    }
    loadPolicy(config.policyDir); // the folder and its three files exist and are valid (POLICY_INVALID names file, line and fix)
  }
  return config;
}
