import { existsSync } from 'node:fs';
import { openWarehouse } from '../lib/duckdb.js';
import { parseFlags, runCli } from '../lib/cli.js';
import { CqError } from '../lib/errors.js';
import { enforceRejectGate } from '../ingest/load/reject-gate.js';
import { loadExtracts } from '../ingest/load-extracts.js';
import { loadConfig } from '../config/config.js';

const USAGE =
  'npm run load -- --extracts DIR [--mapping NAME|FILE] [--warehouse data/warehouse.duckdb] [--date YYYY-MM-DD ...] [--config cq.config.json] [--debug]';

/**
 * `npm run load`: validate and load extract folders into the warehouse's raw layer. With
 * `--mapping NAME` (policy/mappings/NAME.yaml), or a `mapping` named in manifest.json, the folder is in
 * a lender's own layout and the mapping turns it into the contract (docs/mappings.md).
 *
 * Then the publish gate (`rejectLimits` of cq.config.json or `--config FILE`; default warn above
 * 0.5 %, fail above 5 % of a file's rows rejected): a warning line per file above its warn limit;
 * exit 1 (REJECT_LIMIT) when a file is above its fail limit or has every row rejected, naming
 * the file, its counts and its top three reasons with a line each. The dates stay loaded, with
 * every rejected row in ops.rejected_rows, so the rejects can be inspected.
 */
runCli(async (argv) => {
  const { flags } = parseFlags(argv, { extracts: 'string', warehouse: 'string', date: 'strings', mapping: 'string', config: 'string' }, USAGE);
  if (flags.config && !existsSync(flags.config)) {
    throw new CqError('CLI_USAGE', `--config ${flags.config}: no such file. Fix: give the path of the configuration file (docs/operations.md), or leave --config out to use cq.config.json when present.`, { file: flags.config });
  }
  const configFile = flags.config ?? 'cq.config.json';
  const { rejectLimits } = loadConfig({}, configFile);
  const extracts = flags.extracts ?? 'data/extracts';
  const wh = await openWarehouse(flags.warehouse ?? 'data/warehouse.duckdb');
  try {
    let rejected = 0;
    const loads = await loadExtracts(wh, extracts, {
      ...(flags.date ? { dates: flags.date } : {}),
      ...(flags.mapping ? { mapping: flags.mapping } : {}),
      onDate: (load) => {
        const read = load.files.reduce((a, f) => a + f.rowsRead, 0);
        const loaded = load.files.reduce((a, f) => a + f.rowsLoaded, 0);
        const rej = load.files.reduce((a, f) => a + f.rowsRejected, 0);
        rejected += rej;
        const mapping = load.files.find((f) => f.mapping)?.mapping;
        console.log(
          `${load.businessDate}  read ${read.toLocaleString('en')}  loaded ${loaded.toLocaleString('en')}  rejected ${rej.toLocaleString('en')}${mapping ? `  (mapping ${mapping})` : ''}  (${load.seconds.toFixed(1)} s)`,
        );
        for (const f of load.files.filter((x) => x.rowsRejected > 0)) console.log(`    ${f.entity} from ${f.path}: ${f.rowsRejected} rejected (see ops.rejected_rows)`);
      },
    });
    if (rejected > 0) console.log(`${rejected} row(s) rejected in total; reasons are in ops.rejected_rows.`);
    await enforceRejectGate(wh, { businessDates: loads.map((l) => l.businessDate) }, rejectLimits, {
      action: 'the load fails (the dates are loaded, so the rejects can be inspected in ops.rejected_rows; a night would publish nothing)',
      configFile,
      warn: (line) => console.warn(line),
    });
  } finally {
    await wh.close();
  }
});
