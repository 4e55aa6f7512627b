import { existsSync, readFileSync } from 'node:fs';
import { CqError } from '../lib/errors.js';
import { DEFAULT_REJECT_LIMITS, parseRejectLimits, type RejectLimits } from './reject-limits.js';

export { landingPath, nightlyPaths, warehousePath, type NightlyPaths } from './data-paths.js';

/** The configuration file every command reads unless `--config FILE` names another. */
export const DEFAULT_CONFIG_FILE = 'cq.config.json';

/**
 * Operator configuration (`cq.config.json` in the working folder, or `--config FILE`; all keys
 * optional), read once by `cq` and passed to every subcommand: every command opens
 * `<dataDir>/warehouse.duckdb` unless given `--warehouse`.
 */
export interface NightlyConfig {
  /** Folder of business-date extract folders. */
  extractsDir: string;
  /** Data folder: published warehouse (`<dataDir>/warehouse.duckdb`, the default of every command), site, runs ledger, locks, work files. */
  dataDir: string;
  /** Cron expression for `npm run schedule` (local time), e.g. "30 2 * * *". */
  schedule: string;
  /** DuckDB memory limit for pipeline steps; larger steps spill to `<dataDir>/work/tmp`. */
  memoryLimit: string;
  /**
   * The warehouse engine: `duckdb` (the default: the embedded file `<dataDir>/warehouse.duckdb`) or
   * `citus` (a PostgreSQL 15 / Citus 13 server at `citusUrl`; docs/operations.md, "A Citus warehouse").
   */
  engine: 'duckdb' | 'citus';
  /**
   * Engine `citus`: the coordinator, e.g. `postgres://cq@db01:5432/cq`, without a password (it comes
   * from PGPASSWORD or ~/.pgpass, never from this file).
   */
  citusUrl?: string;
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
   * Its files are checked with the config (`checkConfig`, transforms/operations/check-config.ts).
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
  /**
   * The reporting institution, printed on every regulator form, the site header and the manifest:
   * `nameZh` / `nameEn` (e.g. 示例银行股份有限公司 / Example Bank Co., Ltd.), `code` (金融许可证号 or
   * the regulator's institution code), optional `logo` (path of a PNG/SVG file, relative to the config
   * file's folder; the site shows it instead of any tool branding).
   */
  institution: Institution;
  /**
   * Who signs the regulator package: 填表人 (`preparedBy`), 复核人 (`reviewedBy`), 负责人
   * (`approvedBy`). `cq export --prepared-by/--reviewed-by/--approved-by` override them; the manifest
   * records them. A package without a preparer is a draft (草稿) and says so on every form.
   */
  signatories: Signatories;
  /**
   * Loan and customer ids in the per-branch lists of the release (watch-list, overdue credit
   * files): `masked` (default: the ID-number mask, only the last characters visible) or `full`
   * (the branch quotes them to its own systems; the release folder is then as confidential as the
   * warehouse). Names and ID numbers are never in these lists.
   */
  branchListIds: 'masked' | 'full';
  /**
   * Audience sites (docs/report-site.md, "Audience sites"): with `branchSites` (default true) the
   * night also publishes one site per branch under `<release>/audience-sites/<branch>/`, holding only
   * that branch's rows. `shareWithBranches`: `book` (default) — branch sites also show the whole-bank
   * KPI values, five-category shares and roll rates for comparison; `none` — only the branch's own.
   */
  siteAudiences: SiteAudiences;
}

/** Audience sites (config `siteAudiences`). */
export interface SiteAudiences {
  readonly branchSites: boolean;
  readonly shareWithBranches: 'book' | 'none';
}

/** The reporting institution (config `institution`). */
export interface Institution {
  readonly nameZh: string;
  readonly nameEn: string;
  readonly code: string;
  readonly logo?: string;
}

/** Who signs a regulator package (config `signatories`); '' = not named. */
export interface Signatories {
  readonly preparedBy: string;
  readonly reviewedBy: string;
  readonly approvedBy: string;
}

export const DEFAULT_CONFIG: NightlyConfig = {
  extractsDir: 'data/extracts',
  dataDir: 'data',
  schedule: '30 2 * * *',
  memoryLimit: '1.5GB',
  engine: 'duckdb',
  buildSite: true,
  buildExports: true,
  sqlAuditLog: 'logs/sql-audit.ndjson',
  rejectLimits: DEFAULT_REJECT_LIMITS,
  exportPdf: 'required',
  institution: { nameZh: '示例银行股份有限公司', nameEn: 'Example Bank Co., Ltd.', code: 'B0000H000000001' },
  signatories: { preparedBy: '', reviewedBy: '', approvedBy: '' },
  branchListIds: 'masked',
  siteAudiences: { branchSites: true, shareWithBranches: 'book' },
};

/** Config keys that may be left out (no default). */
const OPTIONAL_KEYS = ['threads', 'webhookUrl', 'webhookOnSuccess', 'publishGroup', 'policyDir', 'citusUrl'] as const;

/**
 * Reads `cq.config.json` (if present) over the defaults; `overrides` (CLI flags) win. Validates
 * the type of every key and normalises it (reject limits filled in), naming the file, the key and
 * the fix (`CLI_USAGE`). What needs a later stage (the policy files of `policyDir`, the group of
 * `publishGroup`, the entity names of `rejectLimits.perEntity`) is checked by `checkConfig`
 * (transforms/operations/check-config.ts), which `cq` runs on the config it passes on.
 *
 * @example
 * const config = loadConfig({ extractsDir: 'test/x' });
 * warehousePath(config.dataDir); // 'data/warehouse.duckdb'
 */
export function loadConfig(overrides: Partial<NightlyConfig> = {}, file = DEFAULT_CONFIG_FILE): NightlyConfig {
  let fromFile: Partial<NightlyConfig> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Partial<NightlyConfig>;
    } catch (e) {
      throw new CqError('CLI_USAGE', `${file}: not valid JSON (${(e as Error).message}).`, { file });
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new CqError('CLI_USAGE', `${file}: must be a JSON object such as {"dataDir": "data"} (docs/operations.md).`, { file });
    }
    const known = new Set<string>([...Object.keys(DEFAULT_CONFIG), ...OPTIONAL_KEYS]);
    for (const k of Object.keys(fromFile)) {
      if (!known.has(k)) throw new CqError('CLI_USAGE', `${file}: unknown key "${k}". Known: ${[...known].join(', ')}.`, { file, key: k });
    }
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const config: NightlyConfig = { ...DEFAULT_CONFIG, ...fromFile, ...defined };
  const bad = (key: string, what: string): never => {
    throw new CqError('CLI_USAGE', `${file}: ${key} ${what}.`, { file, key });
  };
  const folder = (key: 'extractsDir' | 'dataDir', example: string) => {
    if (typeof config[key] !== 'string' || config[key].trim() === '') bad(key, `must be the path of a folder, e.g. "${example}" (or remove it: "${DEFAULT_CONFIG[key]}" is used)`);
  };
  folder('extractsDir', 'data/extracts');
  folder('dataDir', 'data');
  if (typeof config.schedule !== 'string' || config.schedule.trim() === '') bad('schedule', 'must be a cron expression, e.g. "30 2 * * *" (02:30 every day)');
  if (typeof config.memoryLimit !== 'string' || config.memoryLimit.trim() === '') bad('memoryLimit', `must be a DuckDB memory size such as "3GB", got ${JSON.stringify(config.memoryLimit)}`);
  if (config.threads !== undefined && (typeof config.threads !== 'number' || !Number.isInteger(config.threads) || config.threads < 1)) bad('threads', `must be a whole number of at least 1 (or remove it: all cores), got ${JSON.stringify(config.threads)}`);
  if (config.engine !== 'duckdb' && config.engine !== 'citus') bad('engine', `must be "duckdb" (the embedded warehouse file; the default) or "citus" (a PostgreSQL/Citus server at citusUrl), got ${JSON.stringify(config.engine)}`);
  if (config.citusUrl !== undefined && (typeof config.citusUrl !== 'string' || !/^postgres(ql)?:\/\/[^\s]+$/.test(config.citusUrl))) bad('citusUrl', `must be a PostgreSQL URL such as "postgres://cq@db01:5432/cq", got ${JSON.stringify(config.citusUrl)}`);
  if (config.citusUrl !== undefined && /^postgres(ql)?:\/\/[^:/@]+:[^@]*@/.test(config.citusUrl)) bad('citusUrl', 'holds a password; remove it from the URL and give it in PGPASSWORD or ~/.pgpass (the config file is readable by the publish group)');
  if (config.engine === 'citus' && config.citusUrl === undefined) bad('citusUrl', 'is required with "engine": "citus", e.g. "postgres://cq@db01:5432/cq" (the coordinator)');
  for (const key of ['buildSite', 'buildExports', 'webhookOnSuccess'] as const) {
    if (config[key] !== undefined && typeof config[key] !== 'boolean') bad(key, `must be true or false, got ${JSON.stringify(config[key])}`);
  }
  if (config.webhookUrl !== undefined && (typeof config.webhookUrl !== 'string' || !/^https?:\/\//.test(config.webhookUrl))) bad('webhookUrl', `must be an http(s) URL, got ${JSON.stringify(config.webhookUrl)}`);
  if (typeof config.sqlAuditLog !== 'string' || config.sqlAuditLog.trim() === '') {
    throw new CqError('CLI_USAGE', `${file}: sqlAuditLog must be the path of the audit log file, e.g. "logs/sql-audit.ndjson".`, { file, key: 'sqlAuditLog' });
  }
  config.rejectLimits = overrides.rejectLimits ?? parseRejectLimits(fromFile.rejectLimits, file);
  if (config.exportPdf !== 'required' && config.exportPdf !== 'optional') {
    throw new CqError('CLI_USAGE', `${file}: exportPdf must be "required" (a night without its PDF fails; the default) or "optional" (skip the PDF when Chromium is not installed), got ${JSON.stringify(config.exportPdf)}.`, { file, key: 'exportPdf' });
  }
  if (config.publishGroup !== undefined && (typeof config.publishGroup !== 'string' || config.publishGroup === '')) {
    throw new CqError('CLI_USAGE', `${file}: publishGroup must be a group name, e.g. "cq-readers" (or remove it: files are then owner-only).`, { file, key: 'publishGroup' });
  }
  if (config.policyDir !== undefined && (typeof config.policyDir !== 'string' || config.policyDir.trim() === '')) {
    throw new CqError('CLI_USAGE', `${file}: policyDir must be the path of a policy folder, e.g. "policy-bank" (or remove it: the shipped policy/ is used).`, { file, key: 'policyDir' });
  }
  if (config.branchListIds !== 'masked' && config.branchListIds !== 'full') {
    throw new CqError('CLI_USAGE', `${file}: branchListIds must be "masked" (the default: ids in the branch lists show only their last characters) or "full", got ${JSON.stringify(config.branchListIds)}.`, { file, key: 'branchListIds' });
  }
  config.siteAudiences = parseSiteAudiences(config.siteAudiences, file);
  config.institution = parseInstitution(config.institution, file);
  config.signatories = parseSignatories(config.signatories, file);
  return config;
}

function parseInstitution(v: unknown, file: string): Institution {
  const fix = 'e.g. {"nameZh": "示例银行股份有限公司", "nameEn": "Example Bank Co., Ltd.", "code": "B0000H000000001"}';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CqError('CLI_USAGE', `${file}: institution must be an object, ${fix}.`, { file, key: 'institution' });
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['nameZh', 'nameEn', 'code', 'logo'].includes(k)) throw new CqError('CLI_USAGE', `${file}: institution.${k} is not a known key (nameZh, nameEn, code, logo).`, { file, key: `institution.${k}` });
  }
  for (const k of ['nameZh', 'nameEn', 'code'] as const) {
    if (typeof o[k] !== 'string' || (o[k] as string).trim() === '') throw new CqError('CLI_USAGE', `${file}: institution.${k} must be a non-empty text, ${fix}.`, { file, key: `institution.${k}` });
  }
  if (o.logo !== undefined && (typeof o.logo !== 'string' || o.logo.trim() === '')) throw new CqError('CLI_USAGE', `${file}: institution.logo must be the path of a PNG or SVG file (or remove it).`, { file, key: 'institution.logo' });
  return { nameZh: o.nameZh as string, nameEn: o.nameEn as string, code: o.code as string, ...(o.logo !== undefined ? { logo: o.logo as string } : {}) };
}

function parseSiteAudiences(v: unknown, file: string): SiteAudiences {
  const fix = 'e.g. {"branchSites": true, "shareWithBranches": "book"}';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CqError('CLI_USAGE', `${file}: siteAudiences must be an object, ${fix}.`, { file, key: 'siteAudiences' });
  const o = { ...DEFAULT_CONFIG.siteAudiences, ...(v as Record<string, unknown>) } as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['branchSites', 'shareWithBranches'].includes(k)) throw new CqError('CLI_USAGE', `${file}: siteAudiences.${k} is not a known key (branchSites, shareWithBranches).`, { file, key: `siteAudiences.${k}` });
  }
  if (typeof o.branchSites !== 'boolean') throw new CqError('CLI_USAGE', `${file}: siteAudiences.branchSites must be true or false, got ${JSON.stringify(o.branchSites)}.`, { file, key: 'siteAudiences.branchSites' });
  if (o.shareWithBranches !== 'book' && o.shareWithBranches !== 'none') {
    throw new CqError('CLI_USAGE', `${file}: siteAudiences.shareWithBranches must be "book" (branch sites also show whole-bank figures for comparison; the default) or "none", got ${JSON.stringify(o.shareWithBranches)}.`, { file, key: 'siteAudiences.shareWithBranches' });
  }
  return { branchSites: o.branchSites, shareWithBranches: o.shareWithBranches };
}

function parseSignatories(v: unknown, file: string): Signatories {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CqError('CLI_USAGE', `${file}: signatories must be an object, e.g. {"preparedBy": "张三", "reviewedBy": "李四", "approvedBy": "王五"}.`, { file, key: 'signatories' });
  const o = v as Record<string, unknown>;
  const out: Record<string, string> = { preparedBy: '', reviewedBy: '', approvedBy: '' };
  for (const [k, val] of Object.entries(o)) {
    if (!(k in out)) throw new CqError('CLI_USAGE', `${file}: signatories.${k} is not a known key (preparedBy, reviewedBy, approvedBy).`, { file, key: `signatories.${k}` });
    if (typeof val !== 'string') throw new CqError('CLI_USAGE', `${file}: signatories.${k} must be a name (text), got ${JSON.stringify(val)}.`, { file, key: `signatories.${k}` });
    out[k] = val.trim();
  }
  return out as unknown as Signatories;
}
