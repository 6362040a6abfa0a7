/**
 * File modes for what the service keeps private to its user: the data directory (database,
 * server key, callers' videos and results) at 0700, files at 0600.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';

/** Sets a mode, ignoring filesystems without permission bits. */
export function chmodPrivate(path: string, mode = 0o600): void {
  try {
    chmodSync(path, mode);
  } catch {
    // best effort: some filesystems have no permission bits
  }
}

/**
 * Makes `path` a directory private to this user. One the service creates now is 0700; one it
 * owns already (`tightenExisting`, e.g. its jobs folder) is tightened. A directory that existed
 * before and is not only the service's (a shared folder, $HOME given as the data dir) keeps its
 * mode, so nothing else is silently locked out: `warn` is told when others may read it.
 */
export function ensurePrivateDir(path: string, options: { tightenExisting?: boolean; warn?: (message: string) => void } = {}): void {
  const created = mkdirSync(path, { recursive: true, mode: 0o700 }) !== undefined;
  if (created || options.tightenExisting) {
    chmodPrivate(path, 0o700);
    return;
  }
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return;
  }
  if (mode & 0o077) {
    (options.warn ?? console.warn)(
      `bodylens: ${path} is open to other users (mode ${mode.toString(8).padStart(3, '0')}) and holds the database, server key and callers' videos; it was not created by bodylens, so its mode is left alone: chmod 700 it, or point BODYLENS_DATA_DIR at a private directory`,
    );
  }
}
