/**
 * Strict parsers for command-line option values. Each throws InvalidInputError naming the
 * option, the value and the expected form, so the CLI can exit with status 2 and one line.
 */
import { InvalidInputError } from '../errors.js';

/** Parses a decimal integer; rejects fractions, exponents beyond integers, and trailing text. */
export function parseIntegerOption(option: string): (value: string) => number {
  return (value) => {
    const trimmed = value.trim();
    if (!/^[+-]?[0-9]+$/.test(trimmed) && !/^[+-]?[0-9]+(\.[0-9]+)?e\+?[0-9]+$/i.test(trimmed)) {
      throw new InvalidInputError(option, value, `expected an integer, got ${JSON.stringify(value)}; write a whole number such as 8 (or 256,1024 for a list)`);
    }
    const parsed = Number(trimmed);
    if (!Number.isSafeInteger(parsed)) throw new InvalidInputError(option, value, `expected an integer below 2^53, got ${JSON.stringify(value)}; write a smaller whole number`);
    return parsed;
  };
}

/** Parses a finite decimal number. */
export function parseNumberOption(option: string): (value: string) => number {
  return (value) => {
    const trimmed = value.trim();
    const parsed = Number(trimmed);
    if (trimmed === '' || !Number.isFinite(parsed)) {
      throw new InvalidInputError(option, value, `expected a finite number, got ${JSON.stringify(value)}; write a decimal number such as 0.5 or 1e-3`);
    }
    return parsed;
  };
}

/** Parses a comma-separated list of integers, e.g. `256,1024,4096`, or a power-of-two range `2^8..2^12`. */
export function parseIntegerListOption(option: string): (value: string) => number[] {
  const parseOne = parseIntegerOption(option);
  return (value) => {
    const range = /^\s*2\^([0-9]+)\s*\.\.\s*2\^([0-9]+)\s*$/.exec(value);
    if (range) {
      const [low, high] = [Number(range[1]), Number(range[2])];
      if (low > high || high > 30) throw new InvalidInputError(option, value, `a range 2^a..2^b needs a <= b <= 30, got ${JSON.stringify(value)}; write e.g. 2^8..2^12`);
      return Array.from({ length: high - low + 1 }, (_, index) => 2 ** (low + index));
    }
    const parts = value.split(',').map((part) => part.trim());
    if (parts.some((part) => part === '')) {
      throw new InvalidInputError(option, value, `expected a comma-separated list of integers such as 256,1024,4096, got ${JSON.stringify(value)}`);
    }
    return parts.map(parseOne);
  };
}

/** Parses one of a fixed set of words. */
export function parseChoiceOption<T extends string>(option: string, choices: readonly T[]): (value: string) => T {
  return (value) => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new InvalidInputError(option, value, `expected one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  };
}
