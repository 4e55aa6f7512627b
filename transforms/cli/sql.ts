import { readFileSync } from 'node:fs';
import { CqError } from '../lib/errors.js';
import { listSavedQueries } from '../publish/console/saved-queries.js';
import { runConsole } from '../publish/console/sql-console.js';
import { OUTPUT_FORMATS, runQuery, type OutputFormat } from '../publish/console/run-query.js';
import { DEFAULT_TERMINAL_WIDTH, renderTable } from '../publish/console/table-output.js';
import { defineCommand, runAsMain, usageError } from './command.js';
import { duckDbWarehouseFile } from '../config/engine-warehouse.js';

function positiveNumber(name: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new CqError('CLI_USAGE', `--${name} must be a ${integer ? 'whole ' : ''}number ≥ 0, got ${v}.`);
  }
  return n;
}

/**
 * `cq sql`: the analyst SQL console over the published warehouse (see docs/analyst-sql.md).
 * Unmasked access is recorded in the operator's audit log, `sqlAuditLog` of ./cq.config.json:
 * the console reads it from there itself, never from `--config`, so the user whose access is
 * recorded cannot send the record elsewhere.
 */
export const sqlCommand = defineCommand({
  name: 'sql',
  summary: 'read-only, PII-masked analyst console: one query, a saved query, or interactive',
  args: '["SQL"]',
  flags: {
    query: { kind: 'string', value: 'NAME', help: 'run the saved query queries/NAME.sql (--list-queries shows them)' },
    param: { kind: 'strings', value: 'NAME=VALUE', help: 'bind $NAME (repeatable)' },
    file: { kind: 'string', value: 'PATH.sql', help: 'run the SQL in a file' },
    format: { kind: 'string', value: 'FMT', help: 'table (default) | csv | json | ndjson | parquet | arrow' },
    out: { kind: 'string', value: 'FILE', help: 'write the result to FILE (written atomically; needed for parquet)' },
    limit: { kind: 'string', value: 'N', help: 'row limit (default 1000 for table, none otherwise)' },
    timeout: { kind: 'string', value: 'SECONDS', help: 'statement timeout (default 60; 0 = none)' },
    warehouse: { kind: 'string', value: 'FILE', help: 'warehouse, opened read-only (default: <dataDir of the config>/warehouse.duckdb)' },
    unmasked: { kind: 'boolean', help: 'show personal data unmasked (logged to the audit log first: sqlAuditLog of cq.config.json)' },
    threads: { kind: 'string', value: 'N', help: 'DuckDB threads' },
    'memory-limit': { kind: 'string', value: '4GB', help: 'DuckDB memory limit' },
    vertical: { kind: 'boolean', help: 'one field per line (default: only when the table is wider than the terminal; .mode in the console)' },
    'list-queries': { kind: 'boolean', help: 'list the saved queries' },
  },
  notes: '"SQL" runs one query; without it (and without --query/--file) the interactive console opens (docs/analyst-sql.md).',
  examples: ['cq sql "select * from metrics.kpi_values limit 10"', 'cq sql --query roll-rates-by-branch --param month=2026-10 --format csv'],
  async run({ flags, positional, context }) {
    if (flags['list-queries']) {
      const qs = listSavedQueries();
      process.stdout.write(
        renderTable(['name', 'title', 'author', 'parameters'], ['', '', '', ''], qs.map((q) => [q.name, q.title, q.author, q.params.map((p) => `${p.name}${p.required ? '' : ' (optional)'}`).join(', ')]), [false, false, false, false]),
      );
      return;
    }
    const format = (flags.format ?? 'table') as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) throw new CqError('CLI_USAGE', `--format must be one of ${OUTPUT_FORMATS.join(', ')}; got ${flags.format}.`);
    const params: Record<string, string> = {};
    for (const p of flags.param ?? []) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(p);
      if (!m) throw new CqError('CLI_USAGE', `--param ${p}: expected NAME=VALUE, e.g. --param month=2026-10.`);
      params[m[1]!] = m[2]!;
    }
    const limit = positiveNumber('limit', flags.limit, true);
    const timeoutSeconds = positiveNumber('timeout', flags.timeout, false);
    const threads = positiveNumber('threads', flags.threads, true);
    const common = {
      // --warehouse wins; without it, the configuration is needed (and read) for the data folder.
      warehouse: flags.warehouse ?? duckDbWarehouseFile(context.config(), 'cq sql'),
      ...(flags.unmasked ? { unmasked: true } : {}),
      ...(threads ? { threads } : {}),
      ...(flags['memory-limit'] ? { memoryLimit: flags['memory-limit'] } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    };
    const sources = [positional.length > 0, !!flags.query, !!flags.file].filter(Boolean).length;
    if (sources > 1) throw usageError(sqlCommand, 'give one of "SQL", --query NAME or --file PATH.');
    if (sources === 0) {
      if (flags.out || flags.format) throw new CqError('CLI_USAGE', '--out / --format apply to one query: give "SQL", --query NAME or --file PATH.');
      await runConsole({ ...common, ...(flags.vertical ? { mode: 'vertical' as const } : {}) });
      return;
    }
    const sql = flags.file ? readFileSync(flags.file, 'utf8') : positional.length ? positional.join(' ') : undefined;
    const result = await runQuery({
      ...common,
      ...(sql !== undefined ? { sql } : { savedQuery: flags.query! }),
      params,
      format,
      ...(flags.out ? { out: flags.out } : {}),
      display: { mode: flags.vertical ? 'vertical' : 'auto', width: (process.stdout.isTTY && process.stdout.columns) || DEFAULT_TERMINAL_WIDTH },
    });
    // The table already ends with its summary; for data formats the summary goes to stderr so stdout stays clean.
    if (format !== 'table') console.error(result.summary);
  },
});

runAsMain(import.meta.url, sqlCommand);
