/**
 * Atomic file writes: the content goes to a temporary file in the same directory, is
 * flushed, and is renamed over the target. A reader, or a process killed at any moment,
 * finds the old file or the new one, never a partial one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../errors.js';

/** Writes `content` to `target` atomically, creating the parent directory when missing. */
export function writeFileAtomic(target: string, content: string): void {
  const directory = path.dirname(path.resolve(target));
  ensureDirectory(directory);
  const temporary = path.join(directory, `.${path.basename(target)}.${process.pid}.tmp`);
  const handle = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(handle, content);
    fs.fsyncSync(handle);
  } finally {
    fs.closeSync(handle);
  }
  try {
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Creates `directory` and its missing parents one level at a time. Node's recursive mkdir
 * loops forever where the file system returns ENOENT for a parent that exists (procfs), so
 * each level is created with a plain mkdir and any failure is reported with the path.
 */
export function ensureDirectory(directory: string): void {
  const resolved = path.resolve(directory);
  let stats: fs.Stats | undefined;
  try {
    stats = fs.statSync(resolved);
  } catch {
    stats = undefined;
  }
  if (stats !== undefined) {
    // A file in the way raises EEXIST, as recursive mkdir did, so callers keep their own messages.
    if (!stats.isDirectory()) fs.mkdirSync(resolved);
    return;
  }

  const parent = path.dirname(resolved);
  if (parent !== resolved) ensureDirectory(parent);
  try {
    fs.mkdirSync(resolved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(resolved).isDirectory()) return;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InvalidInputError(`output directory ${resolved}`, resolved, `it cannot be created (${code}); choose a writable location`);
  }
}
