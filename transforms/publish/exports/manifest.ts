import type { AmountCurrency } from './amount-currency.js';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { CqError } from '../../lib/errors.js';
import type { MetricDefinitionsHash, RunInfo, SourceExtract } from './run-info.js';
import type { PolicyFileRef } from '../../policy/record-policy.js';

/** Name of the manifest inside a package folder. */
export const MANIFEST_NAME = 'manifest.json';

/** Version of the manifest layout (bump on incompatible changes). */
export const MANIFEST_VERSION = 1;

/** One file of the package. */
export interface ManifestFile {
  /** Relative to the package folder, `/`-separated. */
  path: string;
  format: 'xlsx' | 'csv' | 'pdf';
  bytes: number;
  sha256: string;
  /** Report id (XLSX / CSV), or null for the whole-package PDF. */
  report: string | null;
  /** Table rows written (data + section + total rows; CSV and XLSX), or null. */
  rows: number | null;
  /** PDF pages, or null. */
  pages: number | null;
  /** Whether re-exporting gives the same bytes (every file now, the PDF with the same Chromium build and fonts: normalisePdf fixes its dates and producer). */
  deterministic: boolean;
}

/** One report of the package, with the template it was laid out by. */
export interface ManifestReport {
  id: string;
  kind: string;
  title_zh: string;
  title_en: string;
  template: string;
  template_sha256: string;
  tables: { id: string; file: string; rows: number; data_rows: number }[];
}

/** The package manifest (`manifest.json`). */
export interface Manifest {
  manifest_version: number;
  package: string;
  business_month: string;
  as_of_date: string;
  run_id: string;
  generated_at: string;
  generated_at_source: RunInfo['source'];
  warehouse_loaded_through: string | null;
  masking: { id_numbers: 'last4' | 'none'; individual_names: 'first_character' | 'none'; unmasked: boolean };
  metric_definitions: MetricDefinitionsHash;
  /** The lender policy files (grade rules, classification floor) the warehouse was built from: ops.policy_files (docs/grading.md). */
  policy_files: PolicyFileRef[];
  /**
   * What the amounts are in: the reporting currency and display unit of every money cell, and the
   * loans of the month in other currencies with the rate they were converted at.
   */
  amounts?: { currency: string; unit_zh: string; unit_en: string; conversions: AmountCurrency['conversions'] };
  reports: ManifestReport[];
  files: ManifestFile[];
  /** SHA-256 of the lines `<sha256>  <path>\n` of every file (sorted by path): one number for the whole package. */
  package_sha256: string;
  /** Present when the PDF was skipped because Chromium is not installed (an export with `pdf: 'optional'`, e.g. `npm run demo`): why, and the command that adds it. */
  pdf_skipped?: { reason: string; fix: string };
  source_extracts: SourceExtract[];
  /** The reporting institution printed on every form. */
  institution?: { name_zh: string; name_en: string; code: string };
  /** The validation rules the package passed (policy/reports/validation/rules.yaml). */
  validation?: { rules_file: string; rules: string[]; passed: boolean };
  /** Where each report's figures come from (kept here, not on the forms). */
  provenance?: { report: string; template: string; form_ref: string | null; sources: string[] }[];
  /** 填表人 / 复核人 / 负责人 and 报送日期; `status: draft` when no preparer is named (every form says 草稿 DRAFT). */
  sign_off: {
    status: 'draft' | 'final';
    prepared_by: string | null;
    reviewed_by: string | null;
    approved_by: string | null;
    /** 负责人 (else 复核人): who signed the package off. */
    signed_off_by: string | null;
    submitted_on: string;
    statement: string;
  };
  determinism: string;
}

/** SHA-256 hex of bytes. @example sha256(Buffer.from('')) // 'e3b0c442…' */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The package hash: SHA-256 over `sha256sum`-style lines of every listed file, sorted by path.
 *
 * @example
 * packageSha256([{ path: 'a.csv', sha256: 'ab…' }]);
 */
export function packageSha256(files: readonly Pick<ManifestFile, 'path' | 'sha256'>[]): string {
  const lines = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((f) => `${f.sha256}  ${f.path}\n`);
  return sha256(lines.join(''));
}

/** The manifest as written: 2-space JSON with a final newline (key order as built: deterministic). @example writeFileSync('manifest.json', manifestText(m)) */
export function manifestText(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Every file under `dir` (relative, `/`-separated), sorted. @example listFiles('exports/2026-10') // ['five-category.csv', …] */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else out.push(relative(dir, abs).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Result of {@link verifyPackage}. */
export interface VerifyResult {
  dir: string;
  files: number;
  packageSha256: string;
  month: string;
}

/**
 * Re-hashes every file of an export package against its `manifest.json`. Throws
 * `EXPORT_VERIFY_FAILED` naming each file that changed (size or SHA-256), is missing, or is not
 * in the manifest, and when the manifest's own package hash does not match its file list.
 *
 * @example
 * await verifyPackage('exports/2026-10'); // { files: 9, … } or throws
 */
export function verifyPackage(dir: string): VerifyResult {
  const path = join(dir, MANIFEST_NAME);
  if (!existsSync(path)) throw new CqError('EXPORT_VERIFY_FAILED', `${path}: no manifest. Fix: point --verify at a package folder such as exports/2026-10.`, { file: path });
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new CqError('EXPORT_VERIFY_FAILED', `${path}: not valid JSON (${(e as Error).message}): the manifest was changed or damaged.`, { file: path }, { cause: e });
  }
  if (m.manifest_version !== MANIFEST_VERSION || !Array.isArray(m.files)) {
    throw new CqError('EXPORT_VERIFY_FAILED', `${path}: not an export manifest of version ${MANIFEST_VERSION}.`, { file: path });
  }
  const problems: { file: string; why: string }[] = [];
  const listed = new Set<string>();
  for (const f of m.files) {
    listed.add(f.path);
    const abs = join(dir, ...f.path.split('/'));
    if (!existsSync(abs)) {
      problems.push({ file: f.path, why: 'missing' });
      continue;
    }
    const size = statSync(abs).size;
    const hash = sha256(readFileSync(abs));
    if (hash !== f.sha256 || size !== f.bytes) {
      problems.push({ file: f.path, why: `changed (manifest: ${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)}…; file: ${size} bytes, sha256 ${hash.slice(0, 12)}…)` });
    }
  }
  for (const rel of listFiles(dir)) {
    if (rel !== MANIFEST_NAME && !listed.has(rel)) problems.push({ file: rel, why: 'not in the manifest' });
  }
  const pkg = packageSha256(m.files);
  if (pkg !== m.package_sha256) problems.push({ file: MANIFEST_NAME, why: `package_sha256 does not match its file list (manifest says ${String(m.package_sha256).slice(0, 12)}…, files give ${pkg.slice(0, 12)}…)` });
  if (problems.length) {
    throw new CqError(
      'EXPORT_VERIFY_FAILED',
      `${dir}: ${problems.length} problem(s): ${problems.map((p) => `${p.file}: ${p.why}`).join('; ')}. The package is not as signed off; re-export it (npm run export -- --month ${m.business_month}).`,
      { file: join(dir, problems[0]!.file) },
    );
  }
  return { dir, files: m.files.length, packageSha256: pkg, month: m.business_month };
}
