import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { NightlyPaths } from '../config/config.js';
import { securePath, secureTree, type PublishAccess } from './permissions.js';

/**
 * Releases: every successful run publishes `<data>/releases/<run-id>/` holding its
 * `warehouse.duckdb` and `site/`. `<data>/current` is a symlink to the live release and is
 * switched with one atomic rename, so the warehouse and the site change together or not at
 * all. `<data>/warehouse.duckdb` and `<data>/site` are fixed symlinks through `current`.
 * A reader that opened the old warehouse keeps reading its old file, unblocked.
 */
export interface ReleasePaths {
  dir: string;
  warehouse: string;
  site: string;
  /** The monthly report book of the run's latest month (report-book-<YYYY-MM>.pdf). */
  book: string;
  /** The per-branch lists of the run's latest month (watch-list/, one workbook per branch). */
  lists: string;
  /** One site per branch (`<branch>/`) and `audiences.json` (docs/report-site.md, "Audience sites"). */
  audienceSites: string;
}

/** Paths of the release of a run (work in progress lives in `<id>.partial`). */
export function releasePaths(paths: NightlyPaths, runId: string, partial = false): ReleasePaths {
  const dir = join(paths.dataDir, 'releases', partial ? `${runId}.partial` : runId);
  return { dir, warehouse: join(dir, 'warehouse.duckdb'), site: join(dir, 'site'), book: join(dir, 'report-book'), lists: join(dir, 'branch-lists'), audienceSites: join(dir, 'audience-sites') };
}

/** The live release directory, or undefined before the first publish. */
export function currentRelease(paths: NightlyPaths): string | undefined {
  const link = join(paths.dataDir, 'current');
  try {
    return join(paths.dataDir, readlinkSync(link));
  } catch {
    return undefined;
  }
}

/**
 * Creates the fixed symlinks `<data>/warehouse.duckdb` → current/warehouse.duckdb and
 * `<data>/site` → current/site. A real file or folder in their place (from before releases
 * existed) is kept aside as `<name>.pre-release-<ms>`, with `access` applied.
 *
 * @example
 * ensureStableLinks(nightlyPaths('data'), publishAccess(undefined));
 */
export function ensureStableLinks(paths: NightlyPaths, access?: PublishAccess): void {
  mkdirSync(paths.dataDir, { recursive: true });
  for (const [link, target] of [
    [paths.warehouse, join('current', 'warehouse.duckdb')],
    [paths.site, join('current', 'site')],
  ] as const) {
    let stat;
    try {
      stat = lstatSync(link);
    } catch {
      stat = undefined;
    }
    if (stat?.isSymbolicLink() && readlinkSync(link) === target) continue;
    if (stat && !stat.isSymbolicLink()) {
      // A warehouse/site from before releases existed (e.g. `npm run load` into data/): keep it aside.
      const aside = `${link}.pre-release-${Date.now()}`;
      renameSync(link, aside);
      if (access) secureTree(aside, access);
    } else if (stat) rmSync(link);
    symlinkSync(target, link);
  }
}

/**
 * Publishes a finished release: applies `access` to everything in it (owner-only, or the
 * publish group: DuckDB, the exports and the site build create files themselves), renames
 * `<id>.partial` to `<id>`, points `current` at it with an atomic rename of a fresh symlink,
 * and keeps the newest `keep` releases.
 *
 * @example
 * publishRelease(nightlyPaths('data'), 'R20261031T023000-4242', publishAccess(undefined));
 */
export function publishRelease(paths: NightlyPaths, runId: string, access: PublishAccess, keep = 3): ReleasePaths {
  const partial = releasePaths(paths, runId, true);
  const final = releasePaths(paths, runId);
  securePath(join(paths.dataDir, 'releases'), access);
  secureTree(partial.dir, access);
  renameSync(partial.dir, final.dir);
  ensureStableLinks(paths, access);
  const tmpLink = join(paths.dataDir, `current.${runId}.tmp`);
  rmSync(tmpLink, { force: true });
  symlinkSync(relative(paths.dataDir, final.dir), tmpLink);
  renameSync(tmpLink, join(paths.dataDir, 'current'));
  pruneReleases(paths, keep);
  // Kept older releases follow the current setting too (folder level: their files are then
  // reachable only as the folder allows).
  for (const e of readdirSync(join(paths.dataDir, 'releases'))) securePath(join(paths.dataDir, 'releases', e), access);
  return final;
}

/** Deletes unfinished `.partial` releases (left by killed runs) and all but the newest `keep` releases. */
export function pruneReleases(paths: NightlyPaths, keep = 3): void {
  const dir = join(paths.dataDir, 'releases');
  if (!existsSync(dir)) return;
  const live = currentRelease(paths);
  const entries = readdirSync(dir).sort();
  for (const e of entries.filter((x) => x.endsWith('.partial'))) rmSync(join(dir, e), { recursive: true, force: true });
  const done = entries.filter((x) => !x.endsWith('.partial'));
  for (const e of done.slice(0, Math.max(0, done.length - keep))) {
    if (join(dir, e) !== live) rmSync(join(dir, e), { recursive: true, force: true });
  }
}
