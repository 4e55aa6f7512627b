/**
 * Names of the extract faults the generator can inject (see `injectFault` in faults.ts for
 * what each one does). Listed in the order they are applied when several are requested.
 */
export const FAULT_NAMES = [
  'missing-column',
  'wrong-type',
  'bad-date',
  'negative-amount',
  'duplicate-key',
  'orphan-loan',
  'orphan-balance',
  'truncated-line',
  'wrong-encoding',
  'missing-file',
] as const;

/** A fault name. @example const f: FaultName = 'missing-file'; */
export type FaultName = (typeof FAULT_NAMES)[number];

/** True when `name` is a known fault. @example isFaultName('bad-date') // true */
export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}
