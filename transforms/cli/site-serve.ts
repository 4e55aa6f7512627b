import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CqError } from '../lib/errors.js';
import { serveStatic } from '../publish/site/serve-site.js';
import { defineCommand, runAsMain, usageError } from './command.js';

/**
 * `cq site:serve`: serves a built site on 127.0.0.1 (`serveStatic`, transforms/publish/site/serve-site.ts)
 * until Ctrl-C: by default the site the nightly published, `<dataDir of the config>/site`; with
 * `--audience BRANCH` that branch's site (docs/report-site.md, "Audience sites").
 */
export const siteServeCommand = defineCommand({
  name: 'site:serve',
  summary: 'serve a built report site on 127.0.0.1 (default: the published <dataDir>/site)',
  args: '[DIR] [PORT]',
  flags: {
    port: { kind: 'string', value: 'N', help: 'port (default: any free port; also the second argument)' },
    audience: { kind: 'string', value: 'BRANCH', help: 'serve the published site of one branch (<dataDir>/current/audience-sites/BRANCH), as its users see it' },
  },
  examples: ['cq site:serve', 'cq site:serve build --port 8080', 'cq site:serve --audience BJ01'],
  async run({ flags, positional, context }) {
    if (positional.length > 2) throw usageError(siteServeCommand, `unexpected argument "${positional[2]}".`);
    if (flags.audience && positional[0]) throw usageError(siteServeCommand, 'give a folder or --audience, not both.');
    const dir = flags.audience
      ? join(context.config().dataDir, 'current', 'audience-sites', flags.audience)
      : (positional[0] ?? join(context.config().dataDir, 'site'));
    const portText = flags.port ?? positional[1] ?? '0';
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw usageError(siteServeCommand, `the port must be a whole number up to 65535, got "${portText}".`);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new CqError('CLI_USAGE', `${dir}: no such site folder. Fix: build one (cq nightly, or cq site:build --out DIR) and give its folder.`, { file: dir });
    }
    const site = await serveStatic(dir, Number(portText));
    console.log(`serving ${resolve(dir)} at ${site.url}/  (Ctrl-C to stop)`);
    await new Promise<void>((done) => {
      const stop = () => void site.close().then(done, done);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
});

runAsMain(import.meta.url, siteServeCommand);
