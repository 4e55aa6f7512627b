import { openWarehouse } from '../lib/duckdb.js';
import { parseFlags, runCli } from '../lib/cli.js';
import { loadExtractsWithMappings } from '../mapping/load-mapped-extracts.js';

const USAGE =
  'npm run load -- --extracts DIR [--mapping NAME|FILE] [--warehouse data/warehouse.duckdb] [--date YYYY-MM-DD ...] [--debug]';

/**
 * `npm run load`: validate and load extract folders into the warehouse's raw layer. With
 * `--mapping NAME` (mappings/NAME.yaml), or a `mapping` named in manifest.json, the folder is in
 * a lender's own layout and the mapping turns it into the contract (docs/mappings.md).
 */
runCli(async (argv) => {
  const { flags } = parseFlags(argv, { extracts: 'string', warehouse: 'string', date: 'strings', mapping: 'string' }, USAGE);
  const extracts = flags.extracts ?? 'data/extracts';
  const wh = await openWarehouse(flags.warehouse ?? 'data/warehouse.duckdb');
  try {
    let rejected = 0;
    await loadExtractsWithMappings(wh, extracts, {
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
  } finally {
    await wh.close();
  }
});
