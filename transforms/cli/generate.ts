import { parseFlags, runCli } from '../lib/cli.js';
import { CqError } from '../lib/errors.js';
import { generateSample } from '../sample/generate-sample.js';
import type { GenerateOptions } from '../sample/options.js';

const USAGE =
  'npm run generate -- --customers N --months M --seed S --out DIR [--start-month YYYY-MM] ' +
  '[--encoding utf-8|gb18030] [--format csv|parquet] [--fault NAME ...] [--overwrite] [--memory-limit 3GB] [--quiet] [--debug]';

function integerFlag(name: string, value: string | undefined): number {
  if (value === undefined) throw new CqError('CLI_USAGE', `--${name} is required. Usage: ${USAGE}`);
  if (!/^\d+$/.test(value)) throw new CqError('CLI_USAGE', `--${name} must be a whole number, got "${value}". Usage: ${USAGE}`);
  return Number(value);
}

/** `npm run generate`: write a deterministic sample of lender extracts (see transforms/sample). */
runCli(async (argv) => {
  const { flags, positional } = parseFlags(
    argv,
    {
      customers: 'string',
      months: 'string',
      seed: 'string',
      out: 'string',
      'start-month': 'string',
      encoding: 'string',
      format: 'string',
      fault: 'strings',
      overwrite: 'boolean',
      'memory-limit': 'string',
      quiet: 'boolean',
    },
    USAGE,
  );
  if (positional.length > 0) throw new CqError('CLI_USAGE', `unexpected argument "${positional[0]}". Usage: ${USAGE}`);
  if (!flags.out) throw new CqError('CLI_USAGE', `--out is required. Usage: ${USAGE}`);
  const options: GenerateOptions = {
    customers: integerFlag('customers', flags.customers),
    months: integerFlag('months', flags.months),
    seed: integerFlag('seed', flags.seed),
    out: flags.out,
    faults: (flags.fault ?? []) as GenerateOptions['faults'],
    overwrite: flags.overwrite ?? false,
    ...(flags['start-month'] ? { startMonth: flags['start-month'] } : {}),
    ...(flags.encoding ? { encoding: flags.encoding as GenerateOptions['encoding'] } : {}),
    ...(flags.format ? { format: flags.format as GenerateOptions['format'] } : {}),
    ...(flags['memory-limit'] ? { memoryLimit: flags['memory-limit'] } : {}),
    ...(flags.quiet ? {} : { onProgress: (m: string) => console.log(`  ${m}`) }),
  };
  const s = await generateSample(options);
  const n = (x: number) => x.toLocaleString('en');
  console.log(`wrote ${n(s.files)} files (${(s.bytes / 1e6).toFixed(1)} MB) for ${s.dates.length} business dates ${s.dates[0]} … ${s.dates[s.dates.length - 1]} to ${s.out}`);
  const width = Math.max(...Object.keys(s.totals).map((k) => k.length));
  for (const [entity, rows] of Object.entries(s.totals)) console.log(`  ${entity.padEnd(width)}  ${n(rows).padStart(13)} rows`);
  for (const f of s.faults) console.log(`fault ${f.fault}: ${f.file} — ${f.description}${f.lines.length ? ` (line ${f.lines.join(', ')})` : ''}`);
  console.log(`elapsed ${s.elapsedSeconds.toFixed(1)} s, peak RSS ${(s.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
});
