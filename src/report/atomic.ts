/**
 * Atomic file writes: the content goes to a temporary file in the same directory, is
 * flushed, and is renamed over the target. A reader, or a process killed at any moment,
 * sees the old file or the new one, never a partial one.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Writes `content` to `target` atomically, creating the parent directory when missing. */
export function writeFileAtomic(target: string, content: string): void {
  const directory = path.dirname(path.resolve(target));
  fs.mkdirSync(directory, { recursive: true });
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
