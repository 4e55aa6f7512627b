import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/config.js';
import { knownMappings, mappingsDir, resolveMappingFile } from '../ingest/mapping/mapping-location.js';
import { readMapping } from '../ingest/mapping/read-mapping.js';
import { parseFlags, runCli } from '../lib/cli.js';
import { REPO_ROOT } from '../lib/repo-root.js';
import { loadPolicy } from './read-policy.js';

const USAGE = 'npx tsx transforms/policy/check-policy.ts [--policy DIR] [--mappings DIR] [--config cq.config.json] [--debug]';

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

/**
 * `npx tsx transforms/policy/check-policy.ts`: checks the policy the nightly would use — `--policy
 * DIR`, else `policyDir` of the config file, else the shipped `policy/` — and the installed
 * mappings (`--mappings DIR`, else `CQ_MAPPINGS_DIR`, else `policy/mappings/`). Prints each file
 * with its SHA-256 and exits 0, or prints `error [POLICY_INVALID]: <file>:<line>: <key>: … Fix: …`
 * and exits 1. policy/README.md.
 */
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  runCli(async (argv) => {
    const { flags } = parseFlags(argv, { policy: 'string', mappings: 'string', config: 'string' }, USAGE);
    const policyDir = flags.policy ?? loadConfig({}, flags.config ?? 'cq.config.json').policyDir;
    const r = checkPolicy({ ...(policyDir ? { policyDir } : {}), ...(flags.mappings ? { mappingsDir: flags.mappings } : {}) });
    console.log(`policy folder ${r.policyDir}`);
    for (const f of r.policyFiles) console.log(`  ok  ${f.file}  sha256 ${f.sha256}`);
    console.log(`mappings folder ${r.mappingsDir}`);
    for (const m of r.mappings) console.log(`  ok  ${m.file}  (mapping ${m.name})`);
    if (r.mappings.length === 0) console.log('  (no mappings installed)');
    console.log(`report templates: checked by npm run export (${join('policy', 'reports')}/ or --templates DIR; docs/exports.md)`);
  });
}
