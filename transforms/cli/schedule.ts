import { Cron } from 'croner';
import { parseFlags, runCli } from '../lib/cli.js';
import { CqError, isCqError } from '../lib/errors.js';
import { loadConfig } from '../config/config.js';
import { runNightly } from '../operations/run-nightly.js';

const USAGE = 'npm run schedule -- [--config cq.config.json] [--cron "30 2 * * *"] [--once-now]';

/**
 * `npm run schedule`: a long-running scheduler that starts `nightly` at the configured cron
 * time. A run still in progress (lock held by a live process) makes the tick skip with a
 * message; a stale lock of a dead run is taken over by the next run.
 */
runCli(async (argv) => {
  const { flags } = parseFlags(argv, { config: 'string', cron: 'string', 'once-now': 'boolean' }, USAGE);
  const configFile = flags.config ?? 'cq.config.json';
  const config = loadConfig({}, configFile);
  const pattern = flags.cron ?? config.schedule;
  let job: Cron;
  try {
    job = new Cron(pattern, { protect: true }, async () => {
      await tick();
    });
  } catch (e) {
    throw new CqError('CLI_USAGE', `invalid cron expression "${pattern}" (${(e as Error).message}). Example: "30 2 * * *" = 02:30 every day.`);
  }
  async function tick() {
    console.log(`[${new Date().toISOString()}] starting nightly`);
    try {
      const r = await runNightly({ config, configFile });
      console.log(`[${new Date().toISOString()}] nightly ${r.runId}: ${r.status}`);
    } catch (e) {
      if (isCqError(e, 'RUN_ALREADY_RUNNING')) console.log(`[${new Date().toISOString()}] skipped: ${e.message}`);
      else console.error(`[${new Date().toISOString()}] nightly crashed: ${(e as Error).message}`);
    }
  }
  console.log(`scheduler: nightly runs on "${pattern}"; next at ${job.nextRun()?.toISOString() ?? 'never'}. Ctrl-C to stop.`);
  if (flags['once-now']) await tick();
  await new Promise<void>((resolve) => {
    const stop = () => {
      job.stop();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
});
