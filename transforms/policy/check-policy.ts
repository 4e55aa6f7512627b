import { relative, resolve } from 'node:path';
import { knownMappings, mappingsDir, resolveMappingFile } from '../ingest/mapping/mapping-location.js';
import { readMapping } from '../ingest/mapping/read-mapping.js';
import { REPO_ROOT } from '../lib/repo-root.js';
import { loadPolicy } from './read-policy.js';


/** What {@link checkPolicy} read: every file checked, with its SHA-256 where it has one. */
export interface PolicyCheck {
  /** The policy folder read (absolute). */
  policyDir: string;
  /** Its three rule files (grading, floor, KPI rules), and its KPI targets when it has `kpi-targets.yaml`. */
  policyFiles: { policy: string; file: string; sha256: string }[];
  /** The mappings folder read (absolute). */
  mappingsDir: string;
  /** The mapping files checked, by name. */
  mappings: { name: string; file: string }[];
}

/**
 * Checks the lender policy an operator would run with, without touching a warehouse: the three rule
 * files of the policy folder (`customer-grading.yaml`, `classification-floor.yaml`,
 * `kpi-rules.yaml`; default the shipped `policy/`), its `kpi-targets.yaml` when present (its form:
 * keys, types, ranges; the metric ids and target kinds are checked by every build, which has the
 * metric definitions) and every mapping installed in the mappings
 * folder (default `CQ_MAPPINGS_DIR`, else `policy/mappings/`). The first problem throws the same
 * `POLICY_INVALID` / `MAPPING_INVALID` error a build or a load would, naming the file, the line,
 * the key and the fix. Report templates (`policy/reports/`) are checked by `npm run export`.
 *
 * @example
 * const r = checkPolicy({ policyDir: 'policy-bank' });
 * r.policyFiles.map((f) => f.file); // ['/srv/cq/policy-bank/customer-grading.yaml', …]
 */
export function checkPolicy(options: { policyDir?: string; mappingsDir?: string } = {}): PolicyCheck {
  const policy = loadPolicy(options.policyDir);
  const dir = mappingsDir(options.mappingsDir);
  const mappings = knownMappings(dir).map((name) => {
    const path = resolveMappingFile(name, dir);
    readMapping(path);
    return { name, file: shown(path) };
  });
  return {
    policyDir: policy.dir,
    policyFiles: policy.files.map((f) => ({ policy: f.policy, file: f.file, sha256: f.sha256 })),
    mappingsDir: dir,
    mappings,
  };
}

function shown(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel && !rel.startsWith('..') && !rel.startsWith('/') ? rel : resolve(path);
}
