import { asBool, asMap, asWhole, checkKeys, parseYaml, type Fail } from './policy-yaml.js';
import { FILE_CUSTOMER_TYPES, FILE_ELEMENTS, type CreditFileCycle, type CreditFileCycles } from './credit-file-cycles.js';

const ENTRY_KEYS = ['required', 'cycle_months'] as const;
/** Longest update cycle accepted, in months. */
export const MAX_CYCLE_MONTHS = 36;
const EXAMPLES: Record<string, string> = {
  elements: `"elements:" with one entry per file element (${FILE_ELEMENTS.join(', ')})`,
  required: '"required: true" (or false)',
  cycle_months: '"cycle_months: 12" (3 quarterly, 6 semi-annual, 12 annual)',
  ...Object.fromEntries(FILE_ELEMENTS.map((e) => [e, `"${e}:" with an entry for ${FILE_CUSTOMER_TYPES.join(' and ')}`])),
  ...Object.fromEntries(FILE_CUSTOMER_TYPES.map((t) => [t, `"${t}: { required: true, cycle_months: 12 }"`])),
};

/**
 * Parses and checks the text of a credit-file cycles policy (`credit-file-cycles.yaml`); `file`
 * names it in errors (POLICY_INVALID with file, line, key and fix): unknown or misspelt keys (an
 * unknown file element or customer type is an unknown key), a missing element or customer type, a
 * required element without a cycle, a cycle that is not a whole number of months from 1 to 36, and a
 * customer type of which no element is required.
 *
 * @example
 * parseCreditFileCyclesPolicy(readFileSync('policy/credit-file-cycles.yaml', 'utf8'), 'policy/credit-file-cycles.yaml').cycles.length; // 10
 */
export function parseCreditFileCyclesPolicy(text: string, file: string): CreditFileCycles {
  const { root, fail } = parseYaml(text, file);
  return checkCreditFileCycles(root, fail);
}

/**
 * Checks credit-file cycles in the file's form (snake_case keys) through `fail`.
 *
 * @example
 * checkCreditFileCycles({ elements: { credit_report: { individual: { required: true, cycle_months: 12 }, … }, … } }, fail);
 */
export function checkCreditFileCycles(root: unknown, fail: Fail): CreditFileCycles {
  const top = asMap(root, [], fail, 'a mapping with the key elements', 'start from the shipped policy/credit-file-cycles.yaml');
  checkKeys(top, [], ['elements'], ['elements'], fail, EXAMPLES);
  const elements = asMap(top.elements, ['elements'], fail, `a mapping with one entry per file element (${FILE_ELEMENTS.join(', ')})`, 'indent each element under "elements:" as in the shipped file');
  checkKeys(elements, ['elements'], FILE_ELEMENTS, FILE_ELEMENTS, fail, EXAMPLES);
  const cycles: CreditFileCycle[] = [];
  for (const element of FILE_ELEMENTS) {
    const at = ['elements', element];
    const byType = asMap(elements[element], at, fail, `a mapping with an entry for ${FILE_CUSTOMER_TYPES.join(' and ')}`, `write "${FILE_CUSTOMER_TYPES[0]}: { required: true, cycle_months: 12 }" and the same for ${FILE_CUSTOMER_TYPES.slice(1).join(', ')} under "${element}:"`);
    checkKeys(byType, at, FILE_CUSTOMER_TYPES, FILE_CUSTOMER_TYPES, fail, EXAMPLES);
    for (const customerType of FILE_CUSTOMER_TYPES) {
      const eat = [...at, customerType];
      const e = asMap(byType[customerType], eat, fail, 'a mapping with the keys required and cycle_months', 'write "{ required: true, cycle_months: 12 }" (or "{ required: false }")');
      checkKeys(e, eat, ENTRY_KEYS, ['required'], fail, EXAMPLES);
      const required = asBool(e.required, [...eat, 'required'], fail);
      if (required && e.cycle_months === undefined) {
        fail(eat, `the element is required but has no cycle_months.`, `add ${EXAMPLES.cycle_months}, or set required: false.`);
      }
      const cycleMonths = e.cycle_months === undefined ? null : asWhole(e.cycle_months, [...eat, 'cycle_months'], fail, 1, MAX_CYCLE_MONTHS, 'months');
      cycles.push({ element, customerType, required, cycleMonths });
    }
  }
  for (const t of FILE_CUSTOMER_TYPES) {
    if (!cycles.some((c) => c.customerType === t && c.required)) {
      fail(['elements'], `no element is required of ${t} customers, so every such customer would count as current and complete.`, `set required: true (with cycle_months) for at least one element under ${t}.`);
    }
  }
  return { cycles };
}

/** The cycles in the file's form. @example creditFileCyclesToPlain(c).elements.site_visit.small_business // { required: true, cycle_months: 3 } */
export function creditFileCyclesToPlain(c: CreditFileCycles): { elements: Record<string, Record<string, { required: boolean; cycle_months?: number }>> } {
  const elements: Record<string, Record<string, { required: boolean; cycle_months?: number }>> = {};
  for (const x of c.cycles) {
    elements[x.element] ??= {};
    elements[x.element]![x.customerType] = { required: x.required, ...(x.cycleMonths !== null ? { cycle_months: x.cycleMonths } : {}) };
  }
  return { elements };
}
