import { DEFAULT_CONFIG_FILE, loadConfig, type NightlyConfig } from '../config/config.js';
import { checkRejectLimitEntities } from '../ingest/load/reject-gate.js';
import { loadPolicy } from '../policy/read-policy.js';
import { publishAccess } from './permissions.js';

/**
 * The checks of a configuration that need later stages than the config module may import:
 * `rejectLimits.perEntity` keys are contract entities, `publishGroup` is a group the user may give
 * files to, and `policyDir` holds both policy files, valid. Errors name the config file, the key
 * (or the policy file, line and column) and the fix, as `CLI_USAGE` / `POLICY_INVALID`.
 *
 * @example
 * checkConfig(loadConfig({}, 'cq.config.json'), 'cq.config.json');
 */
export function checkConfig(config: NightlyConfig, file = DEFAULT_CONFIG_FILE): NightlyConfig {
  checkRejectLimitEntities(config.rejectLimits, file);
  if (config.publishGroup !== undefined) publishAccess(config.publishGroup, file); // the group exists and the user may give files to it
  if (config.policyDir !== undefined) loadPolicy(config.policyDir); // the folder and its policy files exist and are valid (POLICY_INVALID names file, line and fix)
  return config;
}

/**
 * Reads, validates and normalises a configuration file (`loadConfig`) and runs `checkConfig` on
 * it: what `cq` does once before any subcommand uses the configuration.
 *
 * @example
 * const config = loadCheckedConfig({}, 'cq.config.json');
 */
export function loadCheckedConfig(overrides: Partial<NightlyConfig> = {}, file = DEFAULT_CONFIG_FILE): NightlyConfig {
  return checkConfig(loadConfig(overrides, file), file);
}
