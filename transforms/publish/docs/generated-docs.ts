import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../lib/repo-root.js';
import { renderExtractDocs } from './extract-docs.js';
import { generatedDocs as kpiDocs } from './kpi-docs.js';
import { renderWarehouseDocs } from './warehouse-docs.js';
import { notNullByDefinition, renderWarehouseTypes, WAREHOUSE_TYPES_FILE } from './warehouse-types.js';
import { buildDictionary } from '../console/warehouse-dictionary.js';

/**
 * Every file generated from the definitions (contract, models, metrics, policy), path → content:
 * docs/extracts.md, docs/kpis.md and the generated blocks of docs/grading.md and
 * docs/classification.md, docs/warehouse.md and the warehouse types
 * (transforms/lib/warehouse-types.generated.ts). `cq docs` writes them; the docs tests fail when a
 * committed copy differs.
 *
 * @example
 * const files = await generatedFiles();
 * Object.keys(files).map((p) => relative(REPO_ROOT, p)); // ['docs/extracts.md', 'docs/kpis.md', …]
 */
export async function generatedFiles(): Promise<Record<string, string>> {
  const tables = await buildDictionary();
  return {
    [join(REPO_ROOT, 'docs/extracts.md')]: renderExtractDocs(),
    ...(await kpiDocs()),
    [join(REPO_ROOT, 'docs/warehouse.md')]: renderWarehouseDocs(tables),
    [join(REPO_ROOT, WAREHOUSE_TYPES_FILE)]: renderWarehouseTypes(tables, await notNullByDefinition()),
  };
}

/**
 * Writes every generated file that changed (or, with `check`, only lists them). Returns the
 * repository-relative paths that were (or would be) rewritten.
 *
 * @example
 * await writeGeneratedFiles(); // ['docs/kpis.md'] after a metric file changed
 */
export async function writeGeneratedFiles(options: { check?: boolean } = {}): Promise<string[]> {
  const changed: string[] = [];
  for (const [path, content] of Object.entries(await generatedFiles())) {
    let current: string | undefined;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) continue;
    changed.push(relative(REPO_ROOT, path));
    if (!options.check) writeFileSync(path, content);
  }
  return changed;
}
