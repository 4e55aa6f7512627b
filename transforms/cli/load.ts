import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { enforceRejectGate } from '../ingest/load/reject-gate.js';
import { loadExtracts } from '../ingest/load-extracts.js';
import { copyDatesToPostgres } from '../ingest/load/postgres-sink.js';
import { landingPath, warehousePath } from '../config/config.js';
import { openCitusWarehouse, openEngineWarehouse } from '../config/engine-warehouse.js';
import { defineCommand, runAsMain } from './command.js';

/**
 * `cq load`: validate and load extract folders into the warehouse's raw layer. With
 * `--mapping NAME` (policy/mappings/NAME.yaml), or a `mapping` named in manifest.json, the folder is in
 * a lender's own layout and the mapping turns it into the contract (docs/mappings.md).
 *
 * Then the publish gate (`rejectLimits` of the config; default warn above 0.5 %, fail above 5 % of
 * a file's rows rejected): a warning line per file above its warn limit; exit 1 (REJECT_LIMIT) when
 * a file is above its fail limit or has every row rejected, naming the file, its counts and its top
 * three reasons with a line each. The dates stay loaded, with every rejected row in
 * ops.rejected_rows, so the rejects can be inspected.
 *
 * Engine `citus`: the checks run in the DuckDB front end (`<dataDir>/landing.duckdb`, which keeps the
 * raw history the key checks need), then each loaded date is copied to the server in one PostgreSQL
 * transaction (copyDatesToPostgres); the reject gate reads the server.
 */
export const loadCommand = defineCommand({
  name: 'load',
  summary: 'validate and load extract folders into the warehouse (native or through a mapping), then the reject gate',
  flags: {
    extracts: { kind: 'string', value: 'DIR', help: 'folder of business-date extract folders (default: extractsDir of the config, data/extracts)' },
    warehouse: { kind: 'string', value: 'FILE', help: 'warehouse to load into (default: <dataDir of the config>/warehouse.duckdb)' },
    date: { kind: 'strings', value: 'YYYY-MM-DD', help: 'load only this business date (repeatable; default: every date folder)' },
    mapping: { kind: 'string', value: 'NAME|FILE', help: "the extracts are in a lender's own layout: policy/mappings/NAME.yaml or a mapping file (docs/mappings.md)" },
  },
  notes:
    'Re-loading a date replaces it. Exits 1 (REJECT_LIMIT) when a file rejects more rows than its limit\n' +
    '(rejectLimits of the config; default 5 %) or all of them (docs/operations.md, "Reject limits").',
  examples: ['cq load --extracts data/extracts --date 2026-10-31', 'cq load --extracts lender-files --mapping lending-club'],
  async run({ flags, context }) {
    const config = context.config();
    const extracts = flags.extracts ?? config.extractsDir;
    // Engine citus: DuckDB is the checking front end (its landing file), the server gets the checked dates.
    const citus = config.engine === 'citus' && flags.warehouse === undefined;
    const path = flags.warehouse ?? (citus ? landingPath(config.dataDir) : warehousePath(config.dataDir));
    mkdirSync(dirname(path), { recursive: true }); // a new data folder (the first load) is created
    // A DuckDB file (the warehouse, or Citus's landing file) with the config's memory limit and threads.
    const wh = await openEngineWarehouse(config, { warehouse: path });
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
      const server = citus ? await openCitusWarehouse(config) : undefined;
      try {
        if (server) {
          await copyDatesToPostgres(wh, server, loads.map((l) => l.businessDate), {
            onDate: (c) => console.log(`${c.businessDate}  copied to ${server.path}: ${c.tables.reduce((a, t) => a + t.rows, 0).toLocaleString('en')} rows in one transaction (${c.seconds.toFixed(1)} s)`),
          });
        }
        await enforceRejectGate(server ?? wh, { businessDates: loads.map((l) => l.businessDate) }, config.rejectLimits, {
          action: 'the load fails (the dates are loaded, so the rejects can be inspected in ops.rejected_rows; a night would publish nothing)',
          configFile: context.configFile,
          warn: (line) => console.warn(line),
        });
      } finally {
        await server?.close();
      }
    } finally {
      await wh.close();
    }
  },
});

runAsMain(import.meta.url, loadCommand);
