import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPolicy } from '../../transforms/policy/check-policy.js';
import { SHIPPED_POLICY_DIR } from '../../transforms/policy/read-policy.js';
import { runProcess } from '../helpers/run-process.js';

/** `cq policy:check` (policy/README.md, "Checking a policy"). */
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cq-check-policy-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const run = (...args: string[]) => runProcess(process.execPath, ['--import', 'tsx', 'transforms/cli/cq.ts', 'policy:check', ...args], { encoding: 'utf8' });

describe('check-policy', () => {
  it('the shipped policy and mappings pass: every rule file and mapping is listed', () => {
    const r = checkPolicy({ mappingsDir: join(SHIPPED_POLICY_DIR, 'mappings') });
    expect(r.policyFiles.map((f) => f.file)).toEqual(['policy/customer-grading.yaml', 'policy/classification-floor.yaml', 'policy/kpi-rules.yaml', 'policy/kpi-targets.yaml', 'policy/warning-rules.yaml', 'policy/credit-file-cycles.yaml']);
    expect(r.mappings.map((m) => m.name)).toEqual(['lending-club', 'uci-credit-card']);
  });

  it('exit 1 naming the file, line and key of a bad KPI rules file; exit 0 and the files with their SHA-256 for a good folder', async () => {
    const dir = join(tmp, 'bank');
    cpSync(SHIPPED_POLICY_DIR, dir, { recursive: true });
    const file = join(dir, 'kpi-rules.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('sla_hours: 24', 'sla_hours: 1000'));
    const bad = await run('--policy', dir, '--mappings', join(dir, 'mappings'));
    expect(bad.status).toBe(1);
    const line = good.split('\n').findIndex((l) => l.includes('sla_hours: 24')) + 1;
    expect(bad.stderr).toContain(`error [POLICY_INVALID]: ${file}:${line}: verification.sla_hours: 1000 hours is out of range (1 to 720). Fix: `);

    writeFileSync(file, good);
    const ok = await run('--policy', dir, '--mappings', join(dir, 'mappings'));
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`ok {2}${file.replaceAll('/', '\\/')} {2}sha256 [0-9a-f]{64}`));
    expect(ok.stdout).toContain(`ok  ${join(dir, 'mappings', 'lending-club.yaml')}  (mapping lending-club)`);
  }, 300_000);

  it('a broken installed mapping fails the check (MAPPING_INVALID)', () => {
    const maps = join(tmp, 'maps');
    mkdirSync(maps);
    writeFileSync(join(maps, 'bank.yaml'), 'name: bank\nnot_a_key: 1\n');
    expect(() => checkPolicy({ mappingsDir: maps })).toThrow(expect.objectContaining({ code: 'MAPPING_INVALID' }));
  });

  it('KPI targets are checked against the metric definitions: an unknown metric id fails, a valid override is counted', async () => {
    const dir = join(tmp, 'targets');
    cpSync(SHIPPED_POLICY_DIR, dir, { recursive: true });
    const file = join(dir, 'kpi-targets.yaml');
    writeFileSync(file, 'npl_ratioo:\n  value: 0.015\n');
    const bad = await run('--policy', dir, '--mappings', join(dir, 'mappings'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('[POLICY_INVALID]');
    expect(bad.stderr).toContain('npl_ratioo');
    writeFileSync(file, 'npl_ratio:\n  value: 0.015\n');
    const ok = await run('--policy', dir, '--mappings', join(dir, 'mappings'));
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('KPI targets overridden: 1 (checked against metrics/)');
  }, 300_000);
});
