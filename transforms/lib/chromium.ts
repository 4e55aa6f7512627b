import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { CqError } from './errors.js';

/** The headless browser: Debian's chromium (scripts/install-browser.sh); never downloaded. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The command that installs Chromium (and the PDF tools and CJK font) the project's way: apt-get, as root. */
export const CHROMIUM_INSTALL_COMMAND = 'npm run browser:install';

/**
 * The Chromium binary to print with: `$CHROMIUM_PATH` when set (the same variable the site tests
 * and the bench read), else {@link CHROMIUM_PATH}.
 *
 * @example
 * chromiumPath({ CHROMIUM_PATH: '/opt/chromium/chrome' }); // '/opt/chromium/chrome'
 * chromiumPath({}); // '/usr/bin/chromium'
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH || CHROMIUM_PATH;
}

/**
 * Why the Chromium at `path` cannot print — missing, not a file, or not executable — or
 * undefined when it is an executable file.
 *
 * @example
 * chromiumMissing('/nonexistent/chromium'); // '/nonexistent/chromium: Chromium is not installed'
 */
export function chromiumMissing(path: string = chromiumPath()): string | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return `${path}: Chromium is not installed`;
  if (!st.isFile()) return `${path}: not a file, so not a Chromium binary`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return `${path}: Chromium is not executable by this user`;
  }
  return undefined;
}

/** Flags for a quiet, offline, sandbox-less headless Chromium. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

/**
 * Extra flags for a Chromium that opens a site served on this machine (the site tests, the bench):
 * no /dev/shm (small in containers), and no host but 127.0.0.1/localhost resolves.
 */
export const CHROMIUM_LOCAL_SITE_ARGS = [
  '--disable-dev-shm-usage',
  // Belt and braces: Chromium itself cannot resolve any host but 127.0.0.1/localhost.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

/** Options of {@link launchChromium}. */
export interface LaunchChromiumOptions {
  /** Chromium binary. Default {@link chromiumPath}: `$CHROMIUM_PATH`, else {@link CHROMIUM_PATH}. */
  path?: string;
  /** Add {@link CHROMIUM_LOCAL_SITE_ARGS} (for a site served on 127.0.0.1). */
  localSite?: boolean;
}

/**
 * Starts headless Chromium (playwright-core) with {@link CHROMIUM_ARGS}: the one way the project
 * launches a browser. Throws CqError `CHROMIUM_MISSING` (with the install command) when the
 * binary is missing or not executable.
 *
 * @example
 * const browser = await launchChromium({ localSite: true });
 * try { … } finally { await browser.close(); }
 */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<Browser> {
  const executablePath = options.path ?? chromiumPath();
  const missing = chromiumMissing(executablePath);
  if (missing) throw new CqError('CHROMIUM_MISSING', `${missing}. Fix: ${CHROMIUM_INSTALL_COMMAND} (Debian's chromium through apt-get, needs root), or set CHROMIUM_PATH.`, { file: executablePath });
  const args = options.localSite ? [...CHROMIUM_ARGS, ...CHROMIUM_LOCAL_SITE_ARGS] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath, args, headless: true });
}

/** What {@link ensureChromium} found or did. */
export interface EnsureChromiumResult {
  /** The Chromium binary checked. */
  path: string;
  /** It can print now. */
  available: boolean;
  /** The installer ran (and Chromium is there now, if `available`). */
  installed: boolean;
  /** When not available: why, and what that means for the night (one line, for the terminal). */
  warning?: string;
}

/** Options of {@link ensureChromium}. */
export interface EnsureChromiumOptions {
  /** Chromium binary to check. Default `$CHROMIUM_PATH`, else /usr/bin/chromium. */
  path?: string;
  /** Installer command. Default `bash scripts/install-browser.sh` (Debian's chromium, poppler-utils, a CJK font through apt-get). */
  installer?: readonly string[];
  /** Why this process may not install system packages, or undefined when it may. Default {@link installPrivilege}. */
  privilege?: () => string | undefined;
  /** Progress lines. Default console.log. */
  print?: (line: string) => void;
}

/**
 * Makes sure the regulator PDF can be printed, the way the tests do it: when Chromium is missing
 * and this process may install system packages (root, or password-less sudo), runs the project's
 * installer (scripts/install-browser.sh: apt-get, Debian's mirror only). Never fails: when Chromium
 * is still missing (not root, apt failed, offline) the result says why in `warning`, so the caller
 * can run the night with the PDF optional and say how to add it.
 *
 * @example
 * const browser = ensureChromium();
 * if (!browser.available) console.warn(browser.warning); // … the PDF will be skipped …
 */
export function ensureChromium(options: EnsureChromiumOptions = {}): EnsureChromiumResult {
  const path = options.path ?? chromiumPath();
  const print = options.print ?? ((l: string) => console.log(l));
  if (!chromiumMissing(path)) return { path, available: true, installed: false };
  const denied = (options.privilege ?? installPrivilege)();
  const consequence = `the regulator PDF will be skipped; the site and the XLSX/CSV package are still published. To add the PDF later: ${CHROMIUM_INSTALL_COMMAND} as root, then the command printed at the end`;
  if (denied) return { path, available: false, installed: false, warning: `${chromiumMissing(path)} and cannot be installed here (${denied}): ${consequence}.` };
  const installer = options.installer ?? ['bash', 'scripts/install-browser.sh'];
  print(`${chromiumMissing(path)}: installing it with ${installer.join(' ')} …`);
  const r = spawnSync(installer[0]!, installer.slice(1), { stdio: 'inherit' });
  const still = chromiumMissing(path);
  if (!still) return { path, available: true, installed: true };
  const how = r.error ? `could not start ${installer[0]}: ${r.error.message}` : r.status === 0 ? `${installer.join(' ')} succeeded but installed no Chromium at ${path}` : `${installer.join(' ')} failed (exit ${r.status ?? r.signal})`;
  return { path, available: false, installed: true, warning: `${still}: ${how}, so ${consequence}.` };
}

/**
 * Whether this process may install system packages: undefined when it runs as root or sudo works
 * without a password (`sudo -n true`); otherwise why not.
 *
 * @example
 * installPrivilege(); // undefined as root; 'not root, and sudo asks for a password' otherwise
 */
export function installPrivilege(): string | undefined {
  if (process.getuid?.() === 0) return undefined;
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  if (sudo.error) return 'not root, and sudo is not installed';
  return sudo.status === 0 ? undefined : 'not root, and sudo asks for a password';
}
