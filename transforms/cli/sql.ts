import { readFileSync } from 'node:fs';
import { parseFlags, runCli } from '../lib/cli.js';
import { CqError } from '../lib/errors.js';
import { listSavedQueries } from '../publish/console/saved-queries.js';
import { runConsole } from '../publish/console/sql-console.js';
import { OUTPUT_FORMATS, runQuery, type OutputFormat } from '../publish/console/run-query.js';
import { renderTable } from '../publish/console/table-output.js';

const USAGE = `npm run sql -- [OPTIONS] ["SQL"]
  "SQL"                    run one query; without it (and without --query/--file) open the interactive console
  --query NAME             run the saved query queries/NAME.sql (--list-queries shows them)
  --param NAME=VALUE       bind $NAME (repeatable)
  --file PATH.sql          run the SQL in a file
  --format FMT             table (default) | csv | json | ndjson | parquet | arrow
  --out FILE               write the result to FILE (written atomically; needed for parquet)
  --limit N                row limit (default 1000 for table, none otherwise)
  --timeout SECONDS        statement timeout (default 60; 0 = none)
  --warehouse PATH         warehouse file (default data/warehouse.duckdb), opened read-only
  --unmasked               show personal data unmasked (logged to the audit log first)
  --threads N, --memory-limit 4GB, --list-queries, --debug
  (unmasked access is logged to the operator's audit log, "sqlAuditLog" in cq.config.json)`;

function positiveNumber(name: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new CqError('CLI_USAGE', `--${name} must be a ${integer ? 'whole ' : ''}number ≥ 0, got ${v}.`);
  }
  return n;
}

/** `npm run sql`: the analyst SQL console over the published warehouse (see docs/analyst-sql.md). */
runCli(async (argv) => {
  const { flags, positional } = parseFlags(
    argv,
    {
      warehouse: 'string',
      format: 'string',
      out: 'string',
      limit: 'string',
      timeout: 'string',
      unmasked: 'boolean',
      query: 'string',
      param: 'strings',
      file: 'string',
      'list-queries': 'boolean',
      threads: 'string',
      'memory-limit': 'string',
      help: 'boolean',
    },
    USAGE,
  );
  if (flags.help) {
    console.log(USAGE);
    return;
  }
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
    ...(flags.warehouse ? { warehouse: flags.warehouse } : {}),
    ...(flags.unmasked ? { unmasked: true } : {}),
    ...(threads ? { threads } : {}),
    ...(flags['memory-limit'] ? { memoryLimit: flags['memory-limit'] } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
  };
  const sources = [positional.length > 0, !!flags.query, !!flags.file].filter(Boolean).length;
  if (sources > 1) throw new CqError('CLI_USAGE', `give one of "SQL", --query NAME or --file PATH. Usage: ${USAGE}`);
  if (sources === 0) {
    if (flags.out || flags.format) throw new CqError('CLI_USAGE', '--out / --format apply to one query: give "SQL", --query NAME or --file PATH.');
    await runConsole(common);
    return;
  }
  const sql = flags.file ? readFileSync(flags.file, 'utf8') : positional.length ? positional.join(' ') : undefined;
  const result = await runQuery({
    ...common,
    ...(sql !== undefined ? { sql } : { savedQuery: flags.query! }),
    params,
    format,
    ...(flags.out ? { out: flags.out } : {}),
  });
  // The table already ends with its summary; for data formats the summary goes to stderr so stdout stays clean.
  if (format !== 'table') console.error(result.summary);
});
