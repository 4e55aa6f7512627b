import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../transforms/config/config.js';
import { isCqError } from '../../transforms/lib/errors.js';

/** The warehouse engine and the memory budget in cq.config.json (transforms/config/config.ts). */
const dir = mkdtempSync(join(tmpdir(), 'cq-engine-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(body: Record<string, unknown>): string {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(body));
  return file;
}

function refusal(body: Record<string, unknown>): string {
  const file = configFile(body);
  try {
    loadConfig({}, file);
  } catch (e) {
    if (isCqError(e, 'CLI_USAGE')) return e.message.replace(file, 'F');
    throw e;
  }
  throw new Error('the config was accepted');
}

describe('engine and memory in the config', () => {
  it('defaults to the embedded DuckDB with a 1.5GB limit (the lowest the 10M build ran at: at 1.25GB it ran out of memory)', () => {
    const c = loadConfig({}, configFile({}));
    expect(c.engine).toBe('duckdb');
    expect(c.memoryLimit).toBe('1.5GB');
    expect(c.citusUrl).toBeUndefined();
  });

  it('takes a Citus coordinator URL without a password', () => {
    const c = loadConfig({}, configFile({ engine: 'citus', citusUrl: 'postgres://cq@db01:5432/cq' }));
    expect([c.engine, c.citusUrl]).toEqual(['citus', 'postgres://cq@db01:5432/cq']);
  });

  it('names the key and the fix for a wrong engine, a missing or malformed URL, and a password in the URL', () => {
    expect(refusal({ engine: 'greenplum' })).toBe(
      'F: engine must be "duckdb" (the embedded warehouse file; the default) or "citus" (a PostgreSQL/Citus server at citusUrl), got "greenplum".',
    );
    expect(refusal({ engine: 'citus' })).toBe('F: citusUrl is required with "engine": "citus", e.g. "postgres://cq@db01:5432/cq" (the coordinator).');
    expect(refusal({ engine: 'citus', citusUrl: 'db01:5432' })).toBe('F: citusUrl must be a PostgreSQL URL such as "postgres://cq@db01:5432/cq", got "db01:5432".');
    const secret = refusal({ engine: 'citus', citusUrl: 'postgres://cq:hunter2@db01/cq' });
    expect(secret).toBe('F: citusUrl holds a password; remove it from the URL and give it in PGPASSWORD or ~/.pgpass (the config file is readable by the publish group).');
    expect(secret).not.toContain('hunter2');
  });
});
