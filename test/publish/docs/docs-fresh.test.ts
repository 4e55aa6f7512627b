import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderExtractDocs } from '../../../transforms/publish/docs/extract-docs.js';

describe('generated documentation is up to date', () => {
  it('docs/extracts.md matches the contract (run: npx tsx transforms/publish/docs/extract-docs.ts)', () => {
    expect(readFileSync('docs/extracts.md', 'utf8')).toBe(renderExtractDocs());
  });
});
