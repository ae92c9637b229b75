/**
 * Checks of the file paths that commands read and write. The commands run them before their
 * work starts, so a bad output path (a directory, an empty string, one of the command's own
 * input files) fails at once instead of after a long run, and no input file is replaced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isBundledDatasetName } from '../data/bundled.js';
import { InvalidInputError } from '../errors.js';
import { writeFileAtomic } from '../report/atomic.js';

/** A file that a command reads, with the words that name it in messages. */
export interface InputFile {
  readonly path: string;
  /** Noun phrase that completes "-o X is also ...", e.g. `the input data set`. */
  readonly description: string;
}

/** Words of the fix in an output-path message. */
export interface OutputPathHint {
  /** File name offered in the fix, e.g. `report.json` in "give a file path such as results/report.json". */
  readonly example: string;
  /** Way to skip the output, added to the fix when the path cannot be written, e.g. `pass --no-output`. */
  readonly alternative?: string;
}

/**
 * An invalid path given to an option. Its message reads `-o results/ is a directory; ...`,
 * with the option and the path as typed in front, instead of `-o: ...`.
 */
class PathOptionError extends InvalidInputError {
  constructor(flag: string, file: string, problem: string) {
    super(flag, file, problem);
    this.message = `${flag} ${displayPath(file)} ${problem}`;
  }
}

/** Quotes a path for a message when it is empty or contains white space. */
export function displayPath(file: string): string {
  return file === '' || /\s/.test(file) ? JSON.stringify(file) : file;
}

/**
 * Returns the absolute path of `file` with symbolic links resolved: the whole path when
 * the file exists, else its longest existing parent with the missing part appended.
 */
export function resolveFilePath(file: string): string {
  const absolute = path.resolve(file);
  let existing = absolute;
  const missing: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...missing);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      missing.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** Returns true when the two paths name one file: the same resolved path, or the same inode (a hard link). */
export function isSameFile(first: string, second: string): boolean {
  if (resolveFilePath(first) === resolveFilePath(second)) return true;
  const firstStats = statOrNull(first);
  const secondStats = statOrNull(second);
  return firstStats !== null && secondStats !== null && firstStats.dev === secondStats.dev && firstStats.ino === secondStats.ino;
}

/** Returns true when `file` resolves to `directory` or to a path below it. */
export function isInsideDirectory(file: string, directory: string): boolean {
  const relative = path.relative(resolveFilePath(directory), resolveFilePath(file));
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/**
 * Returns the file a data set spec names as a one-element list, or an empty list for a
 * bundled data set or a synthetic spec. The data loader reads every other spec as a path.
 */
export function datasetInputs(spec: string, description = 'the input data set'): InputFile[] {
  return isBundledDatasetName(spec) || spec.startsWith('synthetic:') ? [] : [{ path: spec, description }];
}

/**
 * Rejects an output file path that cannot be written, or that is one of `inputs`.
 * The path must be non-empty, must not end in a slash, must not be an existing directory
 * or other non-regular file, and its longest existing parent must be a directory that
 * this process may write into. The file itself may be missing.
 *
 * @param flag the option as typed, e.g. `-o`
 * @throws InvalidInputError naming the option, the path and the fix
 */
export function checkOutputPath(flag: string, file: string, inputs: readonly InputFile[], hint: OutputPathHint): void {
  if (file === '') throw new PathOptionError(flag, file, `is empty; give a file path such as ${hint.example}`);
  const stats = statOrNull(file);
  if (stats?.isDirectory()) throw new PathOptionError(flag, file, `is a directory; give a file path such as ${path.join(file, hint.example)}`);
  if (file.endsWith('/') || file.endsWith(path.sep)) {
    throw new PathOptionError(flag, file, `ends with a slash, so it names a directory; give a file path such as ${path.join(file, hint.example)}`);
  }
  if (stats !== null && !stats.isFile()) {
    throw new PathOptionError(flag, file, `is not a regular file (a device, pipe or socket), so writing would replace it; give a file path such as ${hint.example}`);
  }

  for (const input of inputs) {
    if (!isSameFile(file, input.path)) continue;
    const named = input.path === file ? '' : ` ${displayPath(input.path)}`;
    throw new PathOptionError(flag, file, `is also ${input.description}${named}; choose another output path`);
  }

  checkParentWritable(flag, file, hint);
}

/**
 * Rejects an output directory path that is empty, is a file, or lies below a file.
 * The directory itself may be missing.
 */
export function checkOutputDirectory(flag: string, directory: string, example: string): void {
  if (directory === '') throw new PathOptionError(flag, directory, `is empty; give a directory path such as ${example}`);
  const stats = statOrNull(directory);
  if (stats !== null && !stats.isDirectory()) throw new PathOptionError(flag, directory, `is a file; give a directory path such as ${example}`);
  if (stats === null) checkParentWritable(flag, directory, { example });
}

/**
 * Rejects an input path that names a directory or another non-regular file, or that this
 * process cannot read. A missing file passes, so that the reader reports it in its own words.
 *
 * @param label the option or argument, e.g. `claim file`
 * @param expected what to pass instead, e.g. `the path of a JSON claim file`
 */
export function checkInputFile(label: string, file: string, expected: string): void {
  const stats = statOrNull(file);
  if (stats === null) return;
  if (stats.isDirectory()) throw new PathOptionError(label, file, `is a directory; pass ${expected}`);
  if (!stats.isFile()) throw new PathOptionError(label, file, `is not a regular file; pass ${expected}`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new PathOptionError(label, file, 'cannot be read: permission denied; check its permissions');
  }
}

/**
 * Writes `content` to `file` atomically (see writeFileAtomic) and turns a file-system
 * failure into an error that names the option and the path.
 */
export function writeOutputFile(flag: string, file: string, content: string): void {
  try {
    writeFileAtomic(file, content);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw error;
    throw new PathOptionError(flag, file, `cannot be written (${code}); choose a writable path with ${flag}`);
  }
}

/** Rejects a path whose longest existing parent is a file, or a directory this process may not write into. */
function checkParentWritable(flag: string, file: string, hint: OutputPathHint): void {
  let parent = path.dirname(path.resolve(file));
  let stats = statOrNull(parent);
  while (stats === null && path.dirname(parent) !== parent) {
    parent = path.dirname(parent);
    stats = statOrNull(parent);
  }
  const alternative = hint.alternative === undefined ? '' : `, or ${hint.alternative}`;
  if (stats !== null && !stats.isDirectory()) {
    throw new PathOptionError(flag, file, `cannot be written because ${parent} is a file, not a directory; choose a writable path${alternative}`);
  }
  try {
    fs.accessSync(parent, fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'access check failed';
    throw new PathOptionError(flag, file, `cannot be written because the directory ${parent} is not writable (${code}); choose a writable path${alternative}`);
  }
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}
