import { mkdirSync } from 'node:fs';
import { nightlyPaths, warehousePath } from '../config/config.js';
import { closeLedgerPath } from '../operations/close-ledger.js';
import { closeMonth } from '../operations/close-month.js';
import { defineCommand, runAsMain, usageError } from './command.js';
import { requireDuckDbEngine } from '../config/engine-warehouse.js';

/**
 * `cq close`: month-end close of a business month. Records who closed it, when, and the SHA-256
 * of its KPI rows (with the rows) in the close ledger `<dataDir>/runs/closes.ndjson`; every later
 * night copies it into ops.month_closes and refuses to publish a change to those KPIs unless run
 * with `--restate` (docs/operations.md, "Month-end close and restatements").
 */
export const closeCommand = defineCommand({
  name: 'close',
  summary: 'month-end close: freeze the KPI figures of a month (later changes need cq nightly --restate)',
  flags: {
    month: { kind: 'string', value: 'YYYY-MM', help: 'business month to close (required)' },
    by: { kind: 'string', value: 'NAME', help: 'who closes it (required)' },
    data: { kind: 'string', value: 'DIR', help: 'data folder whose close ledger records it (default: dataDir of the config, data)' },
    warehouse: { kind: 'string', value: 'FILE', help: 'warehouse to read, read-only (default: <data>/warehouse.duckdb, the published one)' },
  },
  notes: 'Closing a month again with the same figures records nothing; with different figures (a KPI added since) it records the next close.',
  examples: ['cq close --month 2026-10 --by 王芳'],
  async run({ flags, positional, context }) {
    if (positional.length) throw usageError(closeCommand, `unexpected argument "${positional[0]}".`);
    if (!flags.month) throw usageError(closeCommand, '--month is required.');
    if (!flags.by?.trim()) throw usageError(closeCommand, '--by NAME is required (who closes the month).');
    requireDuckDbEngine(context.config(), 'cq close', flags.warehouse);
    const dataDir = flags.data ?? context.config().dataDir;
    const paths = nightlyPaths(dataDir);
    mkdirSync(paths.dataDir, { recursive: true });
    const r = await closeMonth({
      warehouse: flags.warehouse ?? warehousePath(dataDir),
      ledger: closeLedgerPath(paths),
      lock: paths.lock,
      month: flags.month,
      by: flags.by,
    });
    const c = r.close;
    if (!r.recorded) {
      console.log(`${c.month} is already closed with these figures (close #${c.close_no} by ${c.closed_by} at ${c.closed_at}, KPI hash ${c.kpi_hash.slice(0, 16)}…): nothing recorded.`);
      return;
    }
    console.log(
      `closed ${c.month}${r.previous ? ` again (close #${c.close_no}; the figures differ from close #${r.previous.close_no})` : ''}: ${c.kpi_rows} KPI rows, sha256 ${c.kpi_hash}, by ${c.closed_by} at ${c.closed_at}, load ${c.load_id ?? '—'}`,
    );
    console.log(`  recorded in ${closeLedgerPath(paths)}; a night that changes these figures publishes nothing until run with --restate --by NAME --reason TEXT.`);
  },
});

runAsMain(import.meta.url, closeCommand);
