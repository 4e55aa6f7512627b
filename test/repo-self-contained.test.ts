import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALLOW, outsideReferences } from './helpers/outside-paths.js';
import { runProcess } from './helpers/run-process.js';

/**
 * CI guard (issue 15): a clone works with nothing beside it. Every file git tracks is scanned
 * line by line for a reference to a path outside the repository — `../shared`, a relative path
 * that climbs out of the repository from the file's own folder, a host folder (/work/, /home/,
 * /root/, /Users/, /mnt/, /media/), or `/tmp/` in code. The precise rule, its one exception
 * (`.ci/run` may install from `../shared/vendor/`), the opt-out marker and why the guard's own
 * two files are not scanned are documented on
 * `outsideReferences` (test/helpers/outside-paths.ts). Binary files (a NUL byte in the first
 * 8 KiB) are skipped.
 */

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The guard's own files: they spell out every pattern to plant it (see outside-paths.ts). */
const GUARD_FILES = new Set(['test/helpers/outside-paths.ts', 'test/repo-self-contained.test.ts']);

async function trackedTextFiles(): Promise<{ file: string; text: string }[]> {
  const git = await runProcess('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' });
  if (git.status !== 0) throw new Error(`git ls-files failed (exit ${git.status ?? git.signal}): ${git.stderr}`);
  const files = git.stdout.split('\0').filter(Boolean);
  const out: { file: string; text: string }[] = [];
  for (const file of files) {
    if (GUARD_FILES.has(file)) continue;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(repoRoot, file));
    } catch {
      continue; // deleted in the work tree but not yet from the index: nothing to read
    }
    if (bytes.subarray(0, 8192).includes(0)) continue;
    out.push({ file, text: bytes.toString('utf8') });
  }
  return out;
}

describe('the repository refers to no path outside itself', () => {
  it('no tracked file names ../shared, climbs out of the repository, or names a host folder', async () => {
    const files = await trackedTextFiles();
    // The scan covered the repository: these files exist in every clone (a guard that read
    // nothing would pass).
    expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['package.json', 'test/ingest/mapping-public.test.ts', 'datasets/public/README.md']));
    const found = files.flatMap(({ file, text }) => outsideReferences(file, text, repoRoot));
    const report = found.map((r) => `${r.file}:${r.line}: ${r.text} (rule ${r.rule})`).join('\n');
    expect(report, `paths outside the repository (see test/helpers/outside-paths.ts for the rule and the "${ALLOW}" marker):\n${report}`).toBe('');
  });
});

describe('the rule (planted lines: the guard can fail)', () => {
  const root = '/repo';
  const check = (file: string, text: string) => outsideReferences(file, text, root).map((r) => `${r.line}:${r.rule}:${r.text}`);

  it('../shared is found in any file, with its line number', () => {
    expect(check('test/x.test.ts', "import a from 'a';\nconst PUBLIC = resolve(repoRoot, '../shared/data/public');")).toEqual(['2:shared:../shared/data/public']);
    expect(check('docs/x.md', 'npm run load -- --extracts ../shared/data/public')).toEqual(['1:shared:../shared/data/public']);
    expect(check('scripts/x.sh', 'cp ../../shared/vendor/x.tgz .')).toEqual(['1:shared:../../shared/vendor/x.tgz']);
    expect(check('x.yaml', 'path: ../shared')).toEqual(['1:shared:../shared']);
  });

  it('.ci/run may use ../shared/vendor/, and nothing else outside', () => {
    expect(check('.ci/run', 'npm install ../shared/vendor/server.tgz')).toEqual([]);
    expect(check('.ci/run', 'cp ../shared/data/public/x.csv data/')).toEqual(['1:shared:../shared/data/public/x.csv']);
    expect(check('.ci/run', 'cat ../../etc/x')).toEqual(['1:relative:../../etc/x']);
  });

  it('a relative path is resolved from the folder of its file', () => {
    // test/ → ../lib/x.js = /repo/lib/x.js (inside); transforms/ingest/load/ → ../../x = /repo/x (inside);
    // test/ → ../../x = /x (outside); the repository root itself → ../x = /x (outside).
    expect(check('test/a.test.ts', "import { x } from '../lib/x.js';")).toEqual([]);
    expect(check('transforms/ingest/load/a.ts', "import { x } from '../../x.js';")).toEqual([]);
    expect(check('test/a.test.ts', "readFileSync('../../secrets/x.csv')")).toEqual(['1:relative:../../secrets/x.csv']);
    expect(check('README.md', 'see ../other-project/README.md')).toEqual(['1:relative:../other-project/README.md']);
    expect(check('test/a.test.ts', "join(dir, 'a/../../../x')")).toEqual(['1:relative:a/../../../x']);
    // Inside again after climbing: test/ → ../docs/../README.md = /repo/README.md.
    expect(check('test/a.test.ts', "'../docs/../README.md'")).toEqual([]);
  });

  it('URL paths and paths built at run time are not judged', () => {
    expect(check('docs/a.md', 'https://example.com/a/../../b and http://x/../../y')).toEqual([]);
    expect(check('test/a.test.ts', 'const p = `${dir}/../../x`; const q = `$HOME/../x`;')).toEqual([]);
  });

  it('host folders are found anywhere; /tmp/ only in code lines', () => {
    expect(check('docs/a.md', 'the data is in /work/shared/data/public')).toEqual(['1:host:/work/shared/data/public']);
    expect(check('scripts/a.ts', "const d = '/home/alice/extracts';")).toEqual(['1:host:/home/alice/extracts']);
    expect(check('policy/mappings/a.yaml', 'file: /root/x.csv')).toEqual(['1:host:/root/x.csv']);
    expect(check('scripts/a.ts', "const dir = resolve(flags.dir ?? '/tmp/cq-bench');")).toEqual(['1:tmp:/tmp/cq-bench']);
    expect(check('run', '#!/usr/bin/env bash\nrm -rf /tmp/cq-x')).toEqual(['2:tmp:/tmp/cq-x']);
    // Examples in comments and docs, and system paths, pass.
    expect(check('scripts/a.ts', ' * npx tsx scripts/a.ts --out /tmp/sample\n// e.g. /tmp/x\n# /tmp/y')).toEqual([]);
    expect(check('docs/a.md', 'npx tsx transforms/cli/demo.ts --out /tmp/sample')).toEqual([]);
    expect(check('transforms/a.ts', "const CHROMIUM = '/usr/bin/chromium'; readFileSync('/proc/self/stat');")).toEqual([]);
  });

  it('the marker lets a line mean it, on the line or the line above; not two lines above', () => {
    expect(check('test/a.test.ts', `['../../etc/hostname'], // ${ALLOW}: a traversal the loader must refuse`)).toEqual([]);
    expect(check('test/a.test.ts', `// ${ALLOW}: traversal test\n['../../etc/hostname'],`)).toEqual([]);
    expect(check('test/a.test.ts', `// ${ALLOW}: traversal test\n\n['../../etc/hostname'],`)).toEqual(['3:relative:../../etc/hostname']);
  });
});
