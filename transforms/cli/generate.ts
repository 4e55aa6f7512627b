import { generateSample } from '../sample/generate-sample.js';
import type { GenerateOptions } from '../sample/options.js';
import { defineCommand, runAsMain, usageError } from './command.js';

/** `cq generate`: write a deterministic sample of lender extracts (see transforms/sample). */
export const generateCommand = defineCommand({
  name: 'generate',
  summary: 'write a deterministic sample of lender extracts (one folder per business date), optionally with faults',
  flags: {
    customers: { kind: 'string', value: 'N', help: 'number of customers (required)' },
    months: { kind: 'string', value: 'M', help: 'number of month-end business dates (required)' },
    seed: { kind: 'string', value: 'S', help: 'random seed: the same seed gives the same files (required)' },
    out: { kind: 'string', value: 'DIR', help: 'output folder (required)' },
    'start-month': { kind: 'string', value: 'YYYY-MM', help: 'first business month' },
    encoding: { kind: 'string', value: 'utf-8|gb18030', help: 'file encoding (default utf-8)' },
    format: { kind: 'string', value: 'csv|parquet', help: 'file format (default csv)' },
    fault: { kind: 'strings', value: 'NAME', help: 'inject a named fault (repeatable; transforms/sample/fault-names.ts)' },
    overwrite: { kind: 'boolean', help: 'replace an existing output folder' },
    'memory-limit': { kind: 'string', value: 'SIZE', help: 'DuckDB memory limit of the generator (default 2GB)' },
    quiet: { kind: 'boolean', help: 'no progress lines' },
  },
  examples: ['cq generate --customers 3000 --months 24 --seed 42 --out data/extracts'],
  async run({ flags, positional }) {
    const integer = (name: string, value: string | undefined): number => {
      if (value === undefined) throw usageError(generateCommand, `--${name} is required.`);
      if (!/^\d+$/.test(value)) throw usageError(generateCommand, `--${name} must be a whole number, got "${value}".`);
      return Number(value);
    };
    if (positional.length > 0) throw usageError(generateCommand, `unexpected argument "${positional[0]}".`);
    if (!flags.out) throw usageError(generateCommand, '--out is required.');
    const options: GenerateOptions = {
      customers: integer('customers', flags.customers),
      months: integer('months', flags.months),
      seed: integer('seed', flags.seed),
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
  },
});

runAsMain(import.meta.url, generateCommand);
