import { Cron } from 'croner';
import { CqError, isCqError } from '../lib/errors.js';
import { runNightly } from '../operations/run-nightly.js';
import { defineCommand, runAsMain } from './command.js';

/**
 * `cq schedule`: a long-running scheduler that starts `nightly` at the configured cron
 * time. A run still in progress (lock held by a live process) makes the tick skip with a
 * message; a stale lock of a dead run is taken over by the next run.
 */
export const scheduleCommand = defineCommand({
  name: 'schedule',
  summary: 'run the nightly on the cron schedule of the config (a long-running process)',
  flags: {
    cron: { kind: 'string', value: '"30 2 * * *"', help: 'cron expression, local time (default: schedule of the config)' },
    'once-now': { kind: 'boolean', help: 'also run one night right away' },
  },
  examples: ['cq schedule', 'cq schedule --cron "0 3 * * *" --config /etc/cq/cq.config.json'],
  async run({ flags, context }) {
    const config = context.config();
    const configFile = context.configFile;
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
  },
});

runAsMain(import.meta.url, scheduleCommand);
