/**
 * Deterministic sample-data generator: lender extracts per the contract in transforms/ingest/contract,
 * for tests, demos and benchmarks.
 *
 * @example
 * import { generateSample, injectFault } from './transforms/sample/index.js';
 * await generateSample({ customers: 200, months: 4, seed: 1, out: 'tmp/extracts' });
 * await injectFault('tmp/extracts', 'missing-file');
 */
export { sampleCalendar, monthEnd, parseMonth, type SampleCalendar } from './calendar.js';
export { FAULT_NAMES, isFaultName, type FaultName } from './fault-names.js';
export { injectFault, ORPHAN_BALANCE_LOAN_ID, ORPHAN_CUSTOMER_ID, ORPHAN_LOAN_ID, type FaultResult } from './faults.js';
export { generateSample, type GenerateSummary } from './generate-sample.js';
export { MODEL } from './model-parameters.js';
export { resolveOptions, type GenerateOptions, type SampleEncoding, type SampleFormat } from './options.js';
export { LOAN_CLASSES, PRODUCT_IDS, SAMPLE_BRANCHES, SAMPLE_PRODUCTS } from './reference-data.js';
export { MANIFEST_FILE } from './write-extract.js';
