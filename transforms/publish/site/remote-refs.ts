/**
 * The guard on the built site's resource references: the site must work offline, so no html or
 * css file may make the browser request another host.
 */
import { readFileSync } from 'node:fs';
import { extname, relative } from 'node:path';
import { walk } from '../../lib/walk-files.js';

/**
 * Lists resource references to a remote host in the built site: `src=`/`href=` of
 * script/link/img/iframe/source tags in html, `url(...)` and `@import` in css. (Plain `<a href>`
 * links and license comments are not requests and are ignored.)
 *
 * @example
 * findRemoteRefs('build'); // ['index.html: <link> https://fonts.googleapis.com/css2?family=Inter'] or []
 */
export function findRemoteRefs(siteDir: string): string[] {
  const hits: string[] = [];
  for (const file of walk(siteDir)) {
    const ext = extname(file).toLowerCase();
    if (ext !== '.html' && ext !== '.css') continue;
    const text = readFileSync(file, 'utf8');
    const rel = relative(siteDir, file);
    if (ext === '.html') {
      for (const m of text.matchAll(/<(script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi)) {
        hits.push(`${rel}: <${m[1]}> ${m[2]}`);
      }
      for (const m of text.matchAll(/<style[\s\S]*?<\/style>/gi)) hits.push(...cssRemote(rel, m[0]));
    } else {
      hits.push(...cssRemote(rel, text));
    }
  }
  return hits;
}

function cssRemote(rel: string, css: string): string[] {
  const out: string[] = [];
  const noComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
  for (const m of noComments.matchAll(/url\(\s*["']?((?:https?:)?\/\/[^"')\s]+)/gi)) out.push(`${rel}: url(${m[1]})`);
  // @import "…" (the @import url(…) form is already caught above)
  for (const m of noComments.matchAll(/@import\s+["']((?:https?:)?\/\/[^"']+)/gi)) out.push(`${rel}: @import ${m[1]}`);
  return out;
}
