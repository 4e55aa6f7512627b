// Postinstall: keep 4.8 MB of brand icons out of every page of the report site.
//
// Evidence 40's page header (core-components Header.svelte) imports four logos (GitHub, Slack,
// Bluesky, X) from @steeze-ui/simple-icons, a single 4.9 MB module of 3,225 icons. The settings
// page imports the same module as a namespace (`import * as simpleIcons`), so the bundler keeps it
// whole, in a chunk that the shared layout — and with it every page — loads and compiles before it
// hydrates: about half of the JavaScript a page runs. This patch gives the header its four logos
// from a small module written next to it (copied from simple-icons at install time, so they are the
// same icons); the full icon set stays with the settings page, which the report never links to.
// Measured on the 1M-customer site: see docs/report-site.md "Performance".
// Idempotent: running it twice changes nothing the second time.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ICONS = ['Github', 'Slack', 'Bluesky', 'X'];
const headerDir = join('node_modules', '@evidence-dev', 'core-components', 'dist', 'organisms', 'layout', 'header');
const header = join(headerDir, 'Header.svelte');
const iconsModule = join('node_modules', '@steeze-ui', 'simple-icons', 'dist', 'index.js');
const local = join(headerDir, 'brand-icons.js');
const from = `from '@steeze-ui/simple-icons';`;
const to = `from './brand-icons.js';`;

function main() {
  if (!existsSync(header) || !existsSync(iconsModule)) {
    console.warn(`patch-evidence-bundle: ${existsSync(header) ? iconsModule : header} not found; skipped (is @evidence-dev/evidence installed?)`);
    return;
  }
  const source = readFileSync(iconsModule, 'utf8').split('\n');
  const lines = ICONS.map((name) => source.find((l) => l.startsWith(`export const ${name} = `)));
  const missing = ICONS.filter((_, i) => !lines[i]);
  if (missing.length) {
    console.warn(`patch-evidence-bundle: icon(s) ${missing.join(', ')} not found in ${iconsModule}; Evidence version changed? skipped`);
    return;
  }
  writeFileSync(local, `// Written by scripts/patch-evidence-bundle.mjs (copied from @steeze-ui/simple-icons).\n${lines.join('\n')}\n`);
  const text = readFileSync(header, 'utf8');
  if (text.includes(to)) {
    console.log('patch-evidence-bundle: header already uses its own brand icons');
    return;
  }
  if (!text.includes(from)) {
    console.warn(`patch-evidence-bundle: "${from}" not found in ${header}; Evidence version changed? skipped`);
    return;
  }
  writeFileSync(header, text.replace(from, to));
  console.log('patch-evidence-bundle: header brand icons now come from brand-icons.js (simple-icons no longer on every page)');
}

main();
