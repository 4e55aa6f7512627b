/**
 * Data-free pages for audience sites. A page Evidence prerendered carries the head office's figures in
 * its markup; an audience site ships the same page as a shell instead: the `<head>` and the app's
 * start script, with the rendered content and the inlined fetch results removed, and the app started
 * without hydration — SvelteKit then renders the route in the browser (`kit.start(app, element)` →
 * `goto(location.href)`), from the audience's own prerendered query results
 * (`api/<route>/<params>/all-queries.json` → `.arrow`), as it does on every in-site navigation.
 */
import { CqError } from '../../../lib/errors.js';

const CONTENT_MARK = '<!-- SvelteKit Hydrated Content -->';

/**
 * The shell of a prerendered Evidence page (SvelteKit 2.8, Evidence 40.1.8). Throws
 * `SITE_BUILD_FAILED` when the page does not have the expected form (a new Evidence or SvelteKit
 * would need this module checked).
 *
 * @example
 * pageShell(readFileSync('site/branches/BJ01/index.html', 'utf8'), 'site/branches/BJ01/index.html');
 * // '<!doctype html>…<!-- SvelteKit Hydrated Content --><script>{ __sveltekit_x = …; kit.start(app, element); }</script>…'
 */
export function pageShell(html: string, file: string): string {
  const fail = (what: string): never => {
    throw new CqError('SITE_BUILD_FAILED', `${file}: ${what}; this Evidence/SvelteKit version writes pages in a form the audience sites do not know (transforms/publish/site/audiences/page-shell.ts).`, { file });
  };
  const mark = html.indexOf(CONTENT_MARK);
  if (mark < 0) fail(`no "${CONTENT_MARK}"`);
  const startScript = html.search(/<script>\s*\{\s*__sveltekit_\w+\s*=/);
  if (startScript < mark) fail('no SvelteKit start script after the content');
  // Content and inlined fetch results (data-sveltekit-fetched) sit between the mark and the start script.
  let shell = html.slice(0, mark + CONTENT_MARK.length) + '\n\t\t\t' + html.slice(startScript);
  const started = shell.replace(/kit\.start\(app, element, \{[^}]*\}\);/, 'kit.start(app, element);');
  if (started === shell) fail('no kit.start(app, element, {…}) call');
  shell = started.replace(/const data = \[[^\]]*\];/, 'const data = [];');
  if (/data-sveltekit-fetched/.test(shell)) fail('inlined fetch results outside the content');
  return shell;
}

/**
 * A page that sends the browser to `target` (relative to the site root), keeping the query string
 * (`?month=`): an audience site's `/` opens the audience's own board.
 *
 * @example
 * redirectPage('branches/BJ01/', '北京分行 Beijing Branch');
 */
export function redirectPage(target: string, label: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const href = `/${target.replace(/^\/+/, '')}`;
  return `<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8" />
<meta http-equiv="refresh" content="0; url=${esc(href)}" />
<title>${esc(label)}</title>
<script>location.replace(${JSON.stringify(href)} + location.search + location.hash);</script>
</head>
<body><a href="${esc(href)}">${esc(label)}</a></body>
</html>
`;
}
