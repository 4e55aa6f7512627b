/**
 * The report site's frame: the bank's name (and logo) in the header instead of the tool's
 * branding, "首页 Home" in the menu. Written at build time into the staged Evidence project as
 * `pages/+layout.svelte` (Evidence uses a project's own layout instead of its default one), so
 * the name comes from `cq.config.json` `institution` and never from a file in the repository.
 * The rest of the frame (breadcrumbs, table of contents, page <title>) is patched once at install
 * by scripts/patch-evidence-layout.mjs.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { CqError } from '../../lib/errors.js';
import type { Institution } from '../../config/config.js';

/** File name of the copied logo under the staged project's static/ folder (served at the site root). */
const LOGO_BASENAME = 'institution-logo';

/** Escapes text for a Svelte attribute in double quotes (no `{`, which Svelte would evaluate). */
function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/\{/g, '&#123;').replace(/\}/g, '&#125;');
}

/**
 * The `pages/+layout.svelte` source for `institution`: Evidence's default layout with the bank's
 * name as header title, its logo when given (`logoHref`, site-relative), "首页 Home" as the home
 * page's menu name and no "Built with Evidence".
 *
 * @example
 * layoutSource({ nameZh: '示例银行股份有限公司', nameEn: 'Example Bank Co., Ltd.', code: 'B1' });
 * // '<script>…</script>\n<EvidenceDefaultLayout {data} title="示例银行股份有限公司 Example Bank Co., Ltd." homePageName="首页 Home" builtWithEvidence={false}>…'
 */
export function layoutSource(institution: Institution, logoHref?: string): string {
  const title = `${institution.nameZh} ${institution.nameEn}`.trim();
  const logo = logoHref ? ` logo="${attr(logoHref)}"` : '';
  return `<!-- Written by transforms/publish/site/site-layout.ts at site build: the institution of cq.config.json. -->
<script>
	import '@evidence-dev/tailwind/fonts.css';
	import '../app.css';
	import { EvidenceDefaultLayout } from '@evidence-dev/core-components';
	export let data;
</script>

<EvidenceDefaultLayout {data} title="${attr(title)}"${logo} homePageName="首页 Home" builtWithEvidence={false}>
	<slot slot="content" />
</EvidenceDefaultLayout>
`;
}

/**
 * Writes the layout (and copies the logo to `static/`) into the staged project `staging`. A
 * project that has its own `pages/+layout.svelte` keeps it. Throws `CqError` SITE_BUILD_FAILED
 * when the logo file is missing or not PNG/SVG/JPEG.
 *
 * @example
 * writeSiteLayout('/tmp/cq-site-x', config.institution);
 */
export function writeSiteLayout(staging: string, institution: Institution): void {
  const target = join(staging, 'pages', '+layout.svelte');
  if (existsSync(target)) return;
  let logoHref: string | undefined;
  if (institution.logo) {
    const ext = extname(institution.logo).toLowerCase();
    if (!existsSync(institution.logo)) {
      throw new CqError('SITE_BUILD_FAILED', `institution.logo ${institution.logo} not found; fix the path in cq.config.json or remove the key`, { file: institution.logo });
    }
    if (!['.png', '.svg', '.jpg', '.jpeg'].includes(ext)) {
      throw new CqError('SITE_BUILD_FAILED', `institution.logo ${institution.logo}: use a PNG, SVG or JPEG file`, { file: institution.logo });
    }
    mkdirSync(join(staging, 'static'), { recursive: true });
    copyFileSync(institution.logo, join(staging, 'static', `${LOGO_BASENAME}${ext}`));
    logoHref = `/${LOGO_BASENAME}${ext}`;
  }
  writeFileSync(target, layoutSource(institution, logoHref));
}
