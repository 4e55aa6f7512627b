import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from './helpers/run-process.js';

/**
 * The shape of the code (.dependency-cruiser.cjs): no import cycles; each stage of transforms/
 * imports only itself and earlier stages (lib → config → ingest → sample → policy → warehouse →
 * kpi → publish → operations → cli); nothing imports scripts/ or test/.
 */
const CRUISER = 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs';

describe('repository shape', () => {
  it('dependency rules hold (npm run lint:deps)', async () => {
    const r = await runProcess(process.execPath, [CRUISER, 'transforms', 'metrics', 'scripts', 'test', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { encoding: 'utf8' });
    // "err" prints nothing but a summary when every rule holds; each violation names rule, from and to.
    expect(r.stdout + r.stderr).not.toMatch(/error /);
    expect(r.status).toBe(0);
  }, 300_000);

  it('the rules are live: a cycle, a lib module importing the cli, and code importing test/ all fail', async () => {
    // A throw-away tree with the same config, so the check is proven to bite, not vacuous.
    const dir = mkdtempSync(join(tmpdir(), 'cq-shape-'));
    try {
      const put = (file: string, text: string) => {
        mkdirSync(join(dir, file, '..'), { recursive: true });
        writeFileSync(join(dir, file), text);
      };
      copyFileSync('.dependency-cruiser.cjs', join(dir, '.dependency-cruiser.cjs'));
      put('tsconfig.json', '{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true } }');
      put('transforms/lib/a.ts', "import { b } from '../cli/b.js';\nexport const a = (): number => b();\n");
      // repo-self-contained: allow the probe's own import of test/ inside its throw-away tree (two levels up from transforms/cli/)
      put('transforms/cli/b.ts', "import { a } from '../lib/a.js';\nimport { t } from '../../test/t.js';\nexport const b = (): number => (a.length + t);\n");
      put('test/t.ts', 'export const t = 1;\n');
      const r = await runProcess(process.execPath, [join(process.cwd(), CRUISER), 'transforms', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: dir, encoding: 'utf8' });
      expect(r.stdout).toMatch(/no-circular/);
      expect(r.stdout).toMatch(/lib-imports-only-earlier-stages: transforms\/lib\/a\.ts → transforms\/cli\/b\.ts/);
      expect(r.stdout).toMatch(/nothing-imports-tests: transforms\/cli\/b\.ts → test\/t\.ts/);
      expect(r.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('tests mirror the source tree: every test folder names a stage of transforms/', () => {
    const stages = new Set(readdirSync('transforms').filter((d) => statSync(join('transforms', d)).isDirectory()));
    const testDirs = readdirSync('test').filter((d) => statSync(join('test', d)).isDirectory() && !['helpers', 'fixtures'].includes(d));
    for (const d of testDirs) expect(stages, `test/${d}/ has no transforms/${d}/`).toContain(d);
  });

  it("the README's layout table lists every top-level folder and every stage folder", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const layout = readme.slice(readme.indexOf('## Layout'), readme.indexOf('## Commands'));
    const tracked = (await runProcess('git', ['ls-files'], { encoding: 'utf8' })).stdout.split('\n').filter(Boolean);
    const top = new Set(tracked.filter((f) => f.includes('/') && !f.startsWith('.')).map((f) => f.split('/')[0]!));
    for (const d of top) expect(layout, `README layout misses ${d}/`).toContain(`\`${d}/`);
    for (const d of readdirSync('transforms')) if (statSync(join('transforms', d)).isDirectory()) expect(layout, `README layout misses transforms/${d}/`).toContain(`\`transforms/${d}/\``);
  });
});
