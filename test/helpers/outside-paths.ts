import { dirname, isAbsolute, relative, resolve } from 'node:path';

/**
 * The rule of test/repo-self-contained.test.ts: which lines of a tracked file refer to a path
 * outside the repository. A clone must work with nothing beside it (issue 15), so a test, script,
 * config or doc command must not read `../shared/…`, a relative path that climbs out of the
 * repository, or a folder of the machine it was written on.
 *
 * A line is an outside reference when it holds
 *
 * 1. `../shared` (any number of `../`, then a `shared` segment): the folder beside the clone that
 *    only the development machines have. The one exception is `.ci/run`, which may install
 *    optional server software from `../shared/vendor/` (an offline install bundle).
 * 2. a relative path with `..` segments (`../x`, `a/../../x`) that, resolved from the folder of the
 *    file it is written in, lands outside the repository root. Imports such as `'../lib/x.js'`
 *    resolve inside and pass. Paths assembled at run time (`join(root, '..', x)`, `${dir}/../x`)
 *    are not judged here; a run on a clean clone (`.ci/run`) catches those.
 * 3. an absolute path into a host's personal or workspace folders: `/work/`, `/home/`, `/root/`,
 *    `/Users/`, `/mnt/`, `/media/`. No file of the project has a reason to name them.
 * 4. `/tmp/` in a code line (a `.ts`, `.js`, `.mjs`, `.cjs`, `.svelte`, `.sh`, `.json`, `.yaml`,
 *    `.yml`, `.sql` file or one starting with `#!`, outside comment lines: lines starting with
 *    `//`, `*`, `/*` or `#`). Code gets its scratch folders from `os.tmpdir()` / `mkdtemp`; in
 *    comments and Markdown `/tmp/…` is an example output folder the reader chooses, and passes.
 *    System paths (`/usr/bin/chromium`, `/proc`, `/etc/…`, `/dev/null`) are not data locations
 *    and pass; so do URL paths (`https://host/a/../b`, `/data/x.parquet` served by the site).
 *
 * The guard's own two files (this one and test/repo-self-contained.test.ts) are not scanned: they
 * must spell the patterns out to plant them.
 *
 * A line that means it (a path-traversal test feeding `../../etc/hostname` to the loader, a doc
 * quoting a path relative to another folder) carries the marker `repo-self-contained: allow`
 * followed by the reason, on the line itself or on the line just above.
 *
 * @example
 * outsideReferences('test/x.test.ts', "const d = '../shared/data/public';", '/repo');
 * // [{ file: 'test/x.test.ts', line: 1, rule: 'shared', text: '../shared/data/public' }]
 */
export function outsideReferences(file: string, text: string, repoRoot: string): OutsideReference[] {
  const out: OutsideReference[] = [];
  const lines = text.split('\n');
  const code = isCodeFile(file, lines[0] ?? '');
  for (const [i, line] of lines.entries()) {
    if (line.includes(ALLOW) || (i > 0 && lines[i - 1]!.includes(ALLOW))) continue;
    const found = (rule: OutsideReference['rule'], token: string) => out.push({ file, line: i + 1, rule, text: token });
    for (const m of line.matchAll(SHARED)) {
      if (file === '.ci/run' && /^(\.\.\/)+shared\/vendor\//.test(m[1]!)) continue;
      found('shared', m[1]!);
    }
    for (const m of line.matchAll(RELATIVE)) {
      const token = m[1]!;
      if (SHARED_TOKEN.test(token)) continue; // reported by rule 1
      const rel = relative(repoRoot, resolve(repoRoot, dirname(file), token));
      if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) found('relative', token);
    }
    for (const m of line.matchAll(HOST)) found('host', m[1]!);
    if (code && !isCommentLine(line)) for (const m of line.matchAll(TMP)) found('tmp', m[1]!);
  }
  return out;
}

/** One outside reference found by {@link outsideReferences}. */
export interface OutsideReference {
  /** Repository-relative path of the file. */
  file: string;
  /** 1-based line number. */
  line: number;
  /** Which rule: `shared` (1), `relative` (2), `host` (3), `tmp` (4). */
  rule: 'shared' | 'relative' | 'host' | 'tmp';
  /** The path as written. */
  text: string;
}

/** The opt-out marker (with a reason after it), on the line or the line above. */
export const ALLOW = 'repo-self-contained: allow';

/** A path token may not start right after these (so URL paths, `$VAR/..`, `${x}/..` and `<placeholder>/…` are not judged). */
const NOT_AFTER = String.raw`(?<![\w.@~$}>/:\\-])`;
/** Characters of a path token. */
const PATH_CHARS = String.raw`[^\s'"\`()\[\]{},;:<>|*?#=]*`;

const SHARED = new RegExp(`${NOT_AFTER}((?:\\.\\./)+shared(?:/${PATH_CHARS}|(?![\\w.-])))`, 'g');
const SHARED_TOKEN = /^(?:\.\.\/)+shared(?:\/|$)/;
const RELATIVE = new RegExp(`${NOT_AFTER}((?:[\\w.@-]+/)*\\.\\./${PATH_CHARS})`, 'g');
const HOST = new RegExp(`${NOT_AFTER}(/(?:work|home|root|Users|mnt|media)/${PATH_CHARS})`, 'g');
const TMP = new RegExp(`${NOT_AFTER}(/tmp/${PATH_CHARS})`, 'g');

const CODE_EXTENSIONS = /\.(ts|tsx|js|mjs|cjs|svelte|sh|json|ya?ml|sql)$/;

function isCodeFile(file: string, firstLine: string): boolean {
  return CODE_EXTENSIONS.test(file) || firstLine.startsWith('#!');
}

function isCommentLine(line: string): boolean {
  return /^\s*(\/\/|\*|\/\*|#)/.test(line);
}
