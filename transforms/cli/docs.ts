import { CqError } from '../lib/errors.js';
import { writeGeneratedFiles } from '../publish/docs/generated-docs.js';
import { defineCommand, runAsMain } from './command.js';

/**
 * `cq docs`: regenerates every generated file from the definitions — docs/extracts.md (contract,
 * mappings), docs/kpis.md and the rule tables of docs/grading.md and docs/classification.md
 * (metrics, policy), docs/warehouse.md and transforms/lib/warehouse-types.generated.ts (the models,
 * read from an empty warehouse built in memory). `--check` only reports stale files and exits 1.
 */
export const docsCommand = defineCommand({
  name: 'docs',
  summary: 'regenerate the generated docs and warehouse types from the definitions',
  flags: {
    check: { kind: 'boolean', help: 'write nothing; exit 1 naming every stale file' },
  },
  examples: ['cq docs', 'cq docs --check'],
  async run({ flags }) {
    const changed = await writeGeneratedFiles({ check: !!flags.check });
    if (flags.check && changed.length > 0) {
      throw new CqError('DOCS_STALE', `${changed.join(', ')}: out of date with the definitions. Fix: npm run docs (cq docs), then commit the files.`);
    }
    console.log(changed.length === 0 ? 'generated files are up to date' : `wrote ${changed.join(', ')}`);
  },
});

runAsMain(import.meta.url, docsCommand);
