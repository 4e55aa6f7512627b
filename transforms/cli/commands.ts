import type { Command } from './command.js';

/**
 * Every `cq` subcommand, in the order of the data flow, each loaded only when it runs (so `cq sql`
 * does not load the Evidence build nor the generator). One file per subcommand under transforms/cli/.
 */
export const COMMANDS: ReadonlyArray<{ name: string; load: () => Promise<Command> }> = [
  { name: 'generate', load: async () => (await import('./generate.js')).generateCommand as Command },
  { name: 'load', load: async () => (await import('./load.js')).loadCommand as Command },
  { name: 'policy:check', load: async () => (await import('./policy-check.js')).policyCheckCommand as Command },
  { name: 'transform', load: async () => (await import('./transform.js')).transformCommand as Command },
  { name: 'export', load: async () => (await import('./export.js')).exportCommand as Command },
  { name: 'report', load: async () => (await import('./report.js')).reportCommand as Command },
  { name: 'sql', load: async () => (await import('./sql.js')).sqlCommand as Command },
  { name: 'site:build', load: async () => (await import('./site-build.js')).siteBuildCommand as Command },
  { name: 'site:serve', load: async () => (await import('./site-serve.js')).siteServeCommand as Command },
  { name: 'nightly', load: async () => (await import('./nightly.js')).nightlyCommand as Command },
  { name: 'close', load: async () => (await import('./close.js')).closeCommand as Command },
  { name: 'schedule', load: async () => (await import('./schedule.js')).scheduleCommand as Command },
  { name: 'docs', load: async () => (await import('./docs.js')).docsCommand as Command },
  { name: 'demo', load: async () => (await import('./demo.js')).demoCommand as Command },
];
