// Postinstall: the report's frame in Chinese with English, without the tool's name.
//
// Evidence 40's default layout (core-components organisms/layout) is English-only and brands
// itself: the breadcrumb starts "Home" and shows the URL segment ("Npl") when the page's title is
// not yet in the manifest, every menu entry and crumb is `capitalize`d ("NPL & Classification"),
// the table of contents says "On this page", the header shows the institution's logo OR its name
// (never both), and a page without a title is called "Evidence". The report's own layout
// (written at site build by transforms/publish/site/site-layout.ts) passes the bank's name, logo,
// "首页 Home" and builtWithEvidence=false; these few text patches do the rest. No fork: each patch
// replaces one exact snippet and warns (without failing the install) when Evidence changed it.
// Idempotent: running it twice changes nothing the second time.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const layout = join('node_modules', '@evidence-dev', 'core-components', 'dist', 'organisms', 'layout');
const preprocess = join('node_modules', '@evidence-dev', 'preprocess', 'dist');

/** [file, exact text, replacement] — every occurrence is replaced. */
const PATCHES = [
  // Breadcrumbs: Chinese with English home, the page title from its front matter, no capitalize.
  [join(layout, 'BreadCrumbs.svelte'), "path.title = 'Home';", "path.title = '首页 Home';"],
  [join(layout, 'BreadCrumbs.svelte'), "const crumbs = [{ href: '/', title: 'Home' }];", "const crumbs = [{ href: '/', title: '首页 Home' }];"],
  [join(layout, 'BreadCrumbs.svelte'), 'path.title = node.title ?? path.title;', 'path.title = node.title ?? node.frontMatter?.title ?? path.title;'],
  [join(layout, 'BreadCrumbs.svelte'), 'class="inline-flex items-center text-sm capitalize gap-1', 'class="inline-flex items-center text-sm gap-1'],
  // Sidebar: titles as written ("NPL & classification", not "NPL & Classification").
  [join(layout, 'sidebar', 'Sidebar.svelte'), ' capitalize ', ' '],
  // Table of contents heading.
  [join(layout, 'tableofcontents', 'ContentsList.svelte'), '\t\tOn this page', '\t\t本页目录 On this page'],
  // Header: the logo (when configured) AND the institution's name.
  [
    join(layout, 'Logo.svelte'),
    '{#if title}\n\t{title}\n{:else}',
    '{#if title}\n\t{#if logo}<img src={logo} alt="" class="h-6 aspect-auto inline-block mr-2 align-middle" />{/if}<span class="align-middle">{title}</span>\n{:else}',
  ],
  // <title> of a page without a title: no tool name.
  [join(preprocess, 'index.cjs'), '<title>Evidence</title>', '<title>信贷资产质量报告 Credit quality report</title>'],
  [join(preprocess, 'index.mjs'), '<title>Evidence</title>', '<title>信贷资产质量报告 Credit quality report</title>'],
];

let changed = 0;
for (const [file, from, to] of PATCHES) {
  if (!existsSync(file)) {
    console.warn(`patch-evidence-layout: ${file} not found; skipped (is @evidence-dev/evidence installed?)`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) {
    if (!text.includes(to)) console.warn(`patch-evidence-layout: "${from.slice(0, 60)}" not found in ${file}; Evidence version changed? skipped`);
    continue;
  }
  writeFileSync(file, text.split(from).join(to));
  changed += 1;
}
console.log(`patch-evidence-layout: ${changed} snippet(s) patched`);
