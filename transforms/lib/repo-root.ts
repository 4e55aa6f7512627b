import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the repository (the folder holding `package.json`), whatever the working
 * directory. Shipped data folders (`metrics/`, `policy/`, `pages/`, …) are found from here.
 *
 * @example
 * join(REPO_ROOT, 'policy', 'customer-grading.yaml')
 */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
