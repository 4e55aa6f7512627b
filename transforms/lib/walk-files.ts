import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every regular file under `dir`, recursively, as absolute (or `dir`-prefixed) paths; symlinks
 * and other special entries are skipped.
 *
 * @example
 * walk('build').filter((f) => f.endsWith('.html')); // ['build/index.html', 'build/npl/index.html', …]
 */
export function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}
