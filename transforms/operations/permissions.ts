import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CqError } from '../lib/errors.js';

/**
 * Who may read what the nightly publishes. The warehouse holds personal data unmasked (the
 * analyst console masks it, the file does not), so everything the nightly writes is
 * owner-only by default: files 0600, folders 0700. With `publishGroup` in the config, files are
 * 0640 and folders 0750 and belong to that group (e.g. the web server's group, so it can serve
 * the site; or an analysts' group).
 */
export interface PublishAccess {
  /** Mode of files the nightly writes or publishes. */
  fileMode: number;
  /** Mode of folders. */
  dirMode: number;
  /** The process umask during a run (also covers files DuckDB and the site build create themselves). */
  umask: number;
  /** Group that gets read access, when configured. */
  group?: { name: string; gid: number };
}

/**
 * Access for a configured `publishGroup` (or owner-only without one). Throws `CLI_USAGE`
 * naming `configFile` when the group does not exist or the user running the nightly may not
 * give files to it (not a member, not root).
 *
 * @example
 * publishAccess(undefined).fileMode // 0o600
 * publishAccess('cq-readers', 'cq.config.json').group // { name: 'cq-readers', gid: 1002 }
 */
export function publishAccess(publishGroup: string | undefined, configFile = 'cq.config.json'): PublishAccess {
  if (publishGroup === undefined) return { fileMode: 0o600, dirMode: 0o700, umask: 0o077 };
  const gid = resolveGroup(publishGroup, configFile);
  const uid = process.getuid?.();
  const member = uid === 0 || process.getegid?.() === gid || (process.getgroups?.() ?? []).includes(gid);
  if (!member) {
    const user = process.env.USER ?? process.env.LOGNAME ?? `uid ${uid ?? '?'}`;
    throw new CqError(
      'CLI_USAGE',
      `${configFile}: publishGroup "${publishGroup}" (gid ${gid}): the user running the nightly (${user}) is not a member, so it cannot give the published files to that group. Fix: \`usermod -aG ${publishGroup} ${user}\` (then log in again / restart the service), or change publishGroup.`,
      { file: configFile, key: 'publishGroup' },
    );
  }
  return { fileMode: 0o640, dirMode: 0o750, umask: 0o027, group: { name: publishGroup, gid } };
}

/** Group name (or numeric gid) → gid, through NSS (`getent group`, so LDAP groups work too), else /etc/group. */
function resolveGroup(name: string, configFile: string): number {
  const fix = `Fix: create it (\`groupadd ${name}\`) and add the user running the nightly and the readers to it, or remove publishGroup from ${configFile} (files are then owner-only).`;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(name)) {
    throw new CqError('CLI_USAGE', `${configFile}: publishGroup "${name}" is not a valid group name. ${fix}`, { file: configFile, key: 'publishGroup' });
  }
  let line: string | undefined;
  try {
    line = execFileSync('getent', ['group', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).split('\n')[0];
  } catch (e) {
    // exit 2 = not found; ENOENT = no getent (not glibc): read /etc/group.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        line = readFileSync('/etc/group', 'utf8')
          .split('\n')
          .find((l) => l.split(':')[0] === name || (/^\d+$/.test(name) && l.split(':')[2] === name));
      } catch {
        line = undefined;
      }
    }
  }
  const gid = line ? Number(line.split(':')[2]) : NaN;
  if (!Number.isSafeInteger(gid)) {
    throw new CqError('CLI_USAGE', `${configFile}: publishGroup "${name}" is not a group on this machine (getent group ${name} found nothing). ${fix}`, { file: configFile, key: 'publishGroup' });
  }
  return gid;
}

/**
 * Applies `access` to one file or folder (no-op if it is missing; symlinks are left alone:
 * their mode means nothing on Linux and their targets are secured where they live).
 *
 * @example
 * securePath('data/status.json', publishAccess(undefined)); // -rw-------
 */
export function securePath(path: string, access: PublishAccess): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) return;
  const mode = st.isDirectory() ? access.dirMode : access.fileMode;
  try {
    if (access.group && st.gid !== access.group.gid) chownSync(path, -1, access.group.gid);
    if ((st.mode & 0o7777) !== mode) chmodSync(path, mode);
  } catch (e) {
    const user = process.env.USER ?? process.env.LOGNAME ?? `uid ${process.getuid?.() ?? '?'}`;
    throw new CqError(
      'RUN_FAILED',
      `${path}: cannot set its permissions to ${mode.toString(8)}${access.group ? ` / group ${access.group.name}` : ''} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the nightly must own what it publishes. Fix: \`chown -R ${user} ${path}\` (or run the nightly as the owner), then run it again.`,
      { file: path },
      { cause: e },
    );
  }
}

/**
 * Applies `access` to a folder and everything in it (files `fileMode`, folders `dirMode`,
 * the group if configured). Used on a release before it is published: DuckDB and the site
 * build create files themselves, and a copied warehouse keeps its source's mode.
 *
 * @example
 * secureTree('data/releases/R20261031T023000-4242.partial', publishAccess(undefined));
 */
export function secureTree(path: string, access: PublishAccess): void {
  securePath(path, access);
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  for (const entry of readdirSync(path)) secureTree(join(path, entry), access);
}

/**
 * Sets the process umask to `access.umask` and returns a function that restores the previous
 * one. In a worker thread (where Node forbids process.umask) it does nothing; the explicit
 * `secureTree` / `securePath` calls still apply the modes.
 *
 * @example
 * const restore = applyUmask(access);
 * try { ... } finally { restore(); }
 */
export function applyUmask(access: PublishAccess): () => void {
  try {
    const previous = process.umask(access.umask);
    return () => void process.umask(previous);
  } catch {
    return () => undefined;
  }
}
