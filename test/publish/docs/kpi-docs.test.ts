import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../../../transforms/publish/docs/kpi-docs.js';

describe('KPI docs are generated from metrics/ and transforms/policy/', () => {
  it('docs/kpis.md, docs/grading.md and docs/classification.md are up to date (run npm run docs)', async () => {
    for (const [path, expected] of Object.entries(await generatedDocs())) {
      expect(readFileSync(path, 'utf8'), path).toBe(expected);
    }
  });
});
