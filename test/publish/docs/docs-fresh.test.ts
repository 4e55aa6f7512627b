import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderExtractDocs } from '../../../transforms/publish/docs/extract-docs.js';

describe('generated documentation is up to date', () => {
  it('docs/extracts.md matches the contract (run: npm run docs)', () => {
    expect(readFileSync('docs/extracts.md', 'utf8')).toBe(renderExtractDocs());
  });
});
