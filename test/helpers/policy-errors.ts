import { isCqError, type CqError } from '../../transforms/lib/errors.js';
import { loadPolicy, type LoadPolicyOptions } from '../../transforms/policy/read-policy.js';

/**
 * 1-based line of the first line containing `needle`, from line index `after` on (0-based).
 *
 * @example
 * lineOf('a\nsla_hours: 24\n', 'sla_hours'); // 2
 */
export function lineOf(text: string, needle: string, after = 0): number {
  const k = text.split('\n').findIndex((l, i) => i >= after && l.includes(needle));
  if (k < 0) throw new Error(`"${needle}" not found`);
  return k + 1;
}

/**
 * The CqError `loadPolicy(dir)` throws; fails the test when the policy loads.
 *
 * @example
 * expect(policyError(dir).code).toBe('POLICY_INVALID');
 */
export function policyError(dir: string, options?: LoadPolicyOptions): CqError {
  try {
    loadPolicy(dir, options);
  } catch (e) {
    if (isCqError(e)) return e;
    throw e;
  }
  throw new Error('expected POLICY_INVALID, the policy loaded');
}
