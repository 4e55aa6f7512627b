import { join } from 'node:path';
import { checkKpiTargets } from '../kpi/target-overrides.js';
import { checkPolicy } from '../policy/check-policy.js';
import { defineCommand, runAsMain } from './command.js';

/**
 * `cq policy:check`: checks the policy the nightly would use — `--policy DIR`, else `policyDir` of
 * the config, else the shipped `policy/` — and the installed mappings (`--mappings DIR`, else
 * `CQ_MAPPINGS_DIR`, else `policy/mappings/`), without touching a warehouse. Prints each file with
 * its SHA-256 and exits 0, or prints `error [POLICY_INVALID]: <file>:<line>: <key>: … Fix: …` and
 * exits 1 (policy/README.md).
 */
export const policyCheckCommand = defineCommand({
  name: 'policy:check',
  summary: "check the lender's policy files and installed mappings without building",
  flags: {
    policy: { kind: 'string', value: 'DIR', help: 'policy folder (default: policyDir of the config, else the shipped policy/)' },
    mappings: { kind: 'string', value: 'DIR', help: 'mappings folder (default: CQ_MAPPINGS_DIR, else policy/mappings/)' },
  },
  notes: 'Report templates (policy/reports/) are checked by cq export (docs/exports.md).',
  examples: ['cq policy:check', 'cq policy:check --policy policy-bank', 'cq policy:check --mappings /srv/cq/mappings'],
  async run({ flags, context }) {
    const policyDir = flags.policy ?? context.config().policyDir;
    const r = checkPolicy({ ...(policyDir ? { policyDir } : {}), ...(flags.mappings ? { mappingsDir: flags.mappings } : {}) });
    console.log(`policy folder ${r.policyDir}`);
    // The KPI targets against the metric definitions (ids, target kinds), as a build would check them.
    const overridden = await checkKpiTargets(policyDir);
    for (const f of r.policyFiles) console.log(`  ok  ${f.file}  sha256 ${f.sha256}`);
    if (overridden > 0) console.log(`  KPI targets overridden: ${overridden} (checked against metrics/)`);
    console.log(`mappings folder ${r.mappingsDir}`);
    for (const m of r.mappings) console.log(`  ok  ${m.file}  (mapping ${m.name})`);
    if (r.mappings.length === 0) console.log('  (no mappings installed)');
    console.log(`report templates: checked by cq export (${join('policy', 'reports')}/ or --templates DIR; docs/exports.md)`);
  },
});

runAsMain(import.meta.url, policyCheckCommand);
