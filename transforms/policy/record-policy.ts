import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { opsTableDdl } from '../lib/ops-tables.js';
import type { FloorRules } from './classification-floor.js';
import type { GradingRules } from './customer-grading.js';
import type { KpiRules } from './kpi-rules.js';
import type { LoadedPolicy } from './read-policy.js';
import { warningRulesToPlain } from './read-warning-rules.js';
import type { WarningRules } from './warning-rules.js';
import { creditFileCyclesToPlain } from './read-credit-file-cycles.js';
import type { CreditFileCycles } from './credit-file-cycles.js';

/**
 * `ops.policy_files`: the policy files the models and KPIs of this warehouse were built from — path,
 * SHA-256, the text itself and the rules in force — so the rule grades, floors and KPI targets of
 * any month can be reproduced, and every export can name its policy. Replaced by each build: a changed
 * policy changes the compiled SQL of the models that use it, so they are rebuilt in full (every
 * month), and the warehouse never mixes two policies.
 */
export const POLICY_FILES_DDL = opsTableDdl('policy_files');

/**
 * Records the policy a build used (see {@link POLICY_FILES_DDL}): one row per policy file
 * (customer-grading, classification-floor, kpi-rules, kpi-targets when the folder has it, warning-rules,
 * credit-file-cycles).
 * `rules` are the rules in force (the files' rules, or the merged `buildWarehouse` overrides, then
 * `overridden` says which part); the kpi-targets row holds the target overrides by metric id, the
 * warning-rules row the rules in the file's form.
 *
 * @example
 * await recordPolicy(wh, loadPolicy(), { grading, floor, kpi, warnings, fileCycles }, { grading: false, floor: false, kpi: false });
 */
export async function recordPolicy(
  wh: WarehouseHandle,
  policy: LoadedPolicy,
  rules: { grading: GradingRules; floor: FloorRules; kpi: KpiRules; warnings: WarningRules; fileCycles: CreditFileCycles },
  overridden: { grading: boolean; floor: boolean; kpi: boolean; warnings?: boolean; fileCycles?: boolean },
): Promise<void> {
  await wh.exec(POLICY_FILES_DDL);
  const part = { 'customer-grading': 'grading', 'classification-floor': 'floor', 'kpi-rules': 'kpi' } as const;
  for (const f of policy.files) {
    const p = f.policy === 'kpi-targets' || f.policy === 'warning-rules' || f.policy === 'credit-file-cycles' ? undefined : part[f.policy];
    const added = f.policy === 'warning-rules' ? warningRulesToPlain(rules.warnings) : f.policy === 'credit-file-cycles' ? creditFileCyclesToPlain(rules.fileCycles) : undefined;
    const inForce = p ? rules[p] : (added ?? policy.targets);
    await wh.run(`INSERT INTO ops.policy_files VALUES ($1, $2, $3, $4, $5, $6, $7, current_timestamp::TIMESTAMP)`, [
      f.policy,
      f.file,
      f.sha256,
      f.bytes,
      f.text,
      JSON.stringify(inForce),
      p ? overridden[p] : f.policy === 'warning-rules' ? (overridden.warnings ?? false) : f.policy === 'credit-file-cycles' ? (overridden.fileCycles ?? false) : false,
    ] as never);
  }
}

/** A policy file as named in an export manifest. */
export interface PolicyFileRef {
  policy: string;
  file: string;
  sha256: string;
}

/**
 * The policy files a warehouse was built from (`ops.policy_files`), for export manifests;
 * empty for a warehouse built before policies were recorded.
 *
 * @example
 * await policyFilesOf(wh); // [{ policy: 'classification-floor', file: 'policy/classification-floor.yaml', sha256: 'e49f…' }, …]
 */
export async function policyFilesOf(wh: WarehouseHandle): Promise<PolicyFileRef[]> {
  const [t] = await wh.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = 'ops' AND table_name = 'policy_files'`);
  if (!t || t.n === 0) return [];
  return wh.all<PolicyFileRef>('SELECT policy, file, sha256 FROM ops.policy_files ORDER BY policy');
}
