import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from '../../transforms/lib/chromium.js';
import { verifyPackage, type Manifest } from '../../transforms/publish/exports/manifest.js';
import { chromiumMissing, chromiumPath, CHROMIUM_PATH } from '../../transforms/lib/chromium.js';
import { loadConfig } from '../../transforms/config/config.js';
import { readRuns } from '../../transforms/operations/ledger.js';
import { writeMiniExtract } from '../helpers/mini-extract.js';
import { runProcess } from '../helpers/run-process.js';

/**
 * `npm run demo` on a machine without Chromium (issue 15), without removing Chromium from this
 * one: `CHROMIUM_PATH` points the PDF printer at a binary that does not exist. A production
 * night fails at "regulator exports"; a night with `--pdf-optional` (what the demo passes)
 * publishes the warehouse and the XLSX/CSV package, and records "pdf skipped" with the one
 * command that adds it in the manifest and status.json — and that command does add it.
 */

const NIGHTLY = ['--import', 'tsx', 'transforms/cli/nightly.ts'];
let root: string;
let missing: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cq-bare-'));
  missing = join(root, 'no-such-dir', 'chromium');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('finding Chromium', () => {
  it('$CHROMIUM_PATH overrides /usr/bin/chromium', () => {
    expect(chromiumPath({})).toBe(CHROMIUM_PATH);
    expect(CHROMIUM_PATH).toBe('/usr/bin/chromium');
    expect(chromiumPath({ CHROMIUM_PATH: '/opt/x/chrome' })).toBe('/opt/x/chrome');
  });

  it('a missing file, a folder and a non-executable file cannot print; an executable file can', () => {
    const dir = join(root, 'bins');
    mkdirSync(dir, { recursive: true });
    const plain = join(dir, 'plain');
    const exe = join(dir, 'exe');
    writeFileSync(plain, '');
    writeFileSync(exe, '#!/bin/sh\n');
    chmodSync(plain, 0o644);
    chmodSync(exe, 0o755);
    expect(chromiumMissing(missing)).toBe(`${missing}: Chromium is not installed`);
    expect(chromiumMissing(dir)).toBe(`${dir}: not a file, so not a Chromium binary`);
    expect(chromiumMissing(exe)).toBeUndefined();
    // root may execute any file with an x bit, but never one without: 0644 is refused for everyone.
    expect(chromiumMissing(plain)).toBe(`${plain}: Chromium is not executable by this user`);
  });
});

describe('ensureChromium (what the demo runs before the night)', () => {
  const marker = () => join(root, `installer-ran-${Math.random().toString(36).slice(2)}`);

  it('does nothing when Chromium is there', () => {
    const m = marker();
    const exe = join(root, 'present-chromium');
    writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
    const r = ensureChromium({ path: exe, installer: ['touch', m], privilege: () => undefined, print: () => {} });
    expect(r).toEqual({ path: exe, available: true, installed: false });
    expect(existsSync(m)).toBe(false);
  });

  it('without the right to install, does not try, and says why and what happens to the PDF', () => {
    const m = marker();
    const r = ensureChromium({ path: missing, installer: ['touch', m], privilege: () => 'not root, and sudo asks for a password', print: () => {} });
    expect(r.available).toBe(false);
    expect(r.installed).toBe(false);
    expect(r.warning).toBe(
      `${missing}: Chromium is not installed and cannot be installed here (not root, and sudo asks for a password): the regulator PDF will be skipped; the site and the XLSX/CSV package are still published. To add the PDF later: npm run browser:install as root, then the command printed at the end.`,
    );
    expect(existsSync(m)).toBe(false);
  });

  it('a failing installer (apt-get down) gives a warning with its exit code, not an error', () => {
    const r = ensureChromium({ path: missing, installer: ['bash', '-c', 'exit 3'], privilege: () => undefined, print: () => {} });
    expect(r).toMatchObject({ available: false, installed: true });
    expect(r.warning).toContain(`${missing}: Chromium is not installed: bash -c exit 3 failed (exit 3), so the regulator PDF will be skipped`);
  });

  it('an installer that puts Chromium in place makes it available', () => {
    const target = join(root, 'installed', 'chromium');
    const r = ensureChromium({
      path: target,
      installer: ['bash', '-c', `mkdir -p "$(dirname "$0")" && printf '#!/bin/sh\\n' > "$0" && chmod 755 "$0"`, target],
      privilege: () => undefined,
      print: () => {},
    });
    expect(r).toEqual({ path: target, available: true, installed: true });
  });
});

describe('exportPdf in cq.config.json', () => {
  it('is "required" unless set; "optional" is accepted; anything else is refused naming the file and the values', () => {
    const file = (body: unknown) => {
      const f = join(root, `cfg-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(f, JSON.stringify(body));
      return f;
    };
    expect(loadConfig({}, file({})).exportPdf).toBe('required');
    expect(loadConfig({}, file({ exportPdf: 'optional' })).exportPdf).toBe('optional');
    const bad = file({ exportPdf: 'skip' });
    expect(() => loadConfig({}, bad)).toThrow(`${bad}: exportPdf must be "required" (a night without its PDF fails; the default) or "optional" (skip the PDF when Chromium is not installed), got "skip".`);
  });
});

describe('a night without Chromium', { timeout: 600_000 }, () => {
  let extracts: string;
  beforeAll(() => {
    extracts = writeMiniExtract(undefined, { dir: join(root, 'extracts') }).dir;
  });
  const nightly = (data: string, extra: string[], env: NodeJS.ProcessEnv = {}) =>
    runProcess(process.execPath, [...NIGHTLY, '--extracts', extracts, '--data', data, '--no-site', ...extra], { encoding: 'utf8', env: { ...process.env, ...env } });

  it('fails loudly at "regulator exports" by default (production): nothing is published', async () => {
    const data = join(root, 'data-required');
    const r = await nightly(data, [], { CHROMIUM_PATH: missing });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`FAILED at step "regulator exports": [EXPORT_FAILED] ${missing}: Chromium is not installed, so the PDF cannot be printed. Fix: npm run browser:install`);
    expect(existsSync(join(data, 'current'))).toBe(false);
  });

  it('with --pdf-optional publishes the warehouse and the XLSX/CSV package, records "pdf skipped" with the command that adds it, and that command adds it', async () => {
    const data = join(root, 'data-optional');
    const r = await nightly(data, ['--pdf-optional'], { CHROMIUM_PATH: missing });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const fix = `npm run browser:install && npm run nightly -- --extracts ${extracts} --data ${data} --no-site --date 2026-09-30 --force`;
    const reason = `${missing}: Chromium is not installed, so the PDF was not printed; the XLSX and CSV files are complete.`;
    expect(r.stdout).toContain(`⚠ PDF skipped for 2026-09 (exportPdf "optional"): ${reason} The XLSX/CSV package is published. Add the PDF: ${fix}`);
    const pkg = join(data, 'current', 'exports', '2026-09');
    const files = readdirSync(pkg);
    expect(files).not.toContain('package.pdf');
    expect(files.filter((f) => f.endsWith('.xlsx')).length).toBeGreaterThan(0);
    expect(files.filter((f) => f.endsWith('.csv')).length).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(pkg, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.pdf_skipped).toEqual({ reason, fix });
    expect(manifest.files.some((f) => f.format === 'pdf')).toBe(false);
    expect(verifyPackage(pkg).files).toBe(manifest.files.length); // the package is whole as listed
    const status = JSON.parse(readFileSync(join(data, 'status.json'), 'utf8')) as { status: string; pdf_skipped: unknown; warnings: string[] };
    expect(status.status).toBe('succeeded');
    expect(status.pdf_skipped).toEqual([{ month: '2026-09', reason, fix }]);
    expect(status.warnings).toEqual([expect.stringContaining('PDF skipped for 2026-09')]);
    const run = readRuns(join(data, 'runs', 'ledger.ndjson')).find((x) => x.status === 'succeeded');
    expect(run).toBeDefined();

    // The command that adds it, with Chromium back (this machine's own): the PDF is printed and
    // published, and nothing says "skipped" any more.
    expect(chromiumMissing(CHROMIUM_PATH), 'this test needs Debian chromium at /usr/bin/chromium (npm run browser:install)').toBeUndefined();
    const args = fix.split(' npm run nightly -- ')[1]!.split(' ');
    const env = { ...process.env };
    delete env.CHROMIUM_PATH;
    const again = await runProcess(process.execPath, [...NIGHTLY, ...args], { encoding: 'utf8', env });
    expect(again.status, again.stdout + again.stderr).toBe(0);
    const added = JSON.parse(readFileSync(join(data, 'current', 'exports', '2026-09', 'manifest.json'), 'utf8')) as Manifest;
    expect(added.pdf_skipped).toBeUndefined();
    expect(added.files.filter((f) => f.format === 'pdf').map((f) => f.path)).toEqual(['package.pdf']);
    const after = JSON.parse(readFileSync(join(data, 'status.json'), 'utf8')) as Record<string, unknown>;
    expect(after.status).toBe('succeeded');
    expect(after.pdf_skipped).toBeUndefined();
  });
});

describe('npm run demo (transforms/cli/demo.ts) without Chromium', { timeout: 900_000 }, () => {
  it('publishes, then ends with a warning that the PDF was skipped and the one command that adds it', async () => {
    const out = join(root, 'demo');
    const r = await runProcess(process.execPath, ['--import', 'tsx', 'transforms/cli/demo.ts', '--out', out, '--customers', '150', '--months', '2', '--no-site'], {
      encoding: 'utf8',
      env: { ...process.env, CHROMIUM_PATH: missing },
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // Before the night: Chromium missing; the installer ran (as root here) or was not allowed.
    expect(r.stderr).toMatch(new RegExp(`warning: ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: Chromium is not installed.*the regulator PDF will be skipped`));
    // After it: the published run's status says which month lacks its PDF and how to add it.
    const data = join(out, 'data');
    const status = JSON.parse(readFileSync(join(data, 'status.json'), 'utf8')) as { status: string; pdf_skipped: { month: string; fix: string }[] };
    expect(status.status).toBe('succeeded');
    expect(status.pdf_skipped).toHaveLength(1);
    const { month, fix } = status.pdf_skipped[0]!;
    expect(fix).toMatch(/^npm run browser:install && npm run nightly -- --extracts .* --data .* --no-site --date \d{4}-\d{2}-\d{2} --force$/);
    expect(r.stderr).toContain(`WARNING: the regulator PDF of ${month} was skipped`);
    expect(r.stderr).toContain(`The XLSX/CSV export package was published. Add the PDF with:\n\n  ${fix}\n`);
    expect(existsSync(join(data, 'current', 'exports', month, 'manifest.json'))).toBe(true);
  });
});
