/**
 * Typed errors. Each carries the data a caller needs to act on it, and its message names
 * the function or option, the rule that was broken, the offending value and the fix.
 * The CLI maps `InvalidInputError` and `ResourceLimitError` to exit code 2 and prints only
 * the message.
 */

/** Invalid user input: an option, a data file cell, an expression or a claim file. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  /** The option, field or location that holds the invalid value, e.g. `--widths` or `data.csv row 4, column x2`. */
  readonly field: string;
  /** The offending value, as given. */
  readonly value: unknown;

  constructor(field: string, value: unknown, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
    this.value = value;
  }
}

/** A request that would exceed a resource limit (memory or time), refused before it starts. */
export class ResourceLimitError extends Error {
  override readonly name = 'ResourceLimitError';
  /** The estimated amount, in the unit named by `unit`. */
  readonly estimate: number;
  /** The limit that the estimate exceeds. */
  readonly limit: number;
  readonly unit: string;

  constructor(message: string, estimate: number, limit: number, unit: string) {
    super(message);
    this.estimate = estimate;
    this.limit = limit;
    this.unit = unit;
  }
}

/** A deterministic inequality that evaluated false on measured values. */
export class BoundViolation extends Error {
  override readonly name = 'BoundViolation';
  constructor(
    readonly claimId: string,
    readonly lhs: number,
    readonly rhs: number,
    readonly margin: number,
    readonly seed: number,
    readonly parameters: Record<string, unknown>,
  ) {
    super(
      `${claimId} violated: lhs ${lhs} exceeds rhs ${rhs} by ${-margin} ` +
        `(seed ${seed}, parameters ${JSON.stringify(parameters)})`,
    );
  }
}

/** A numerical failure that is reported, not hidden: a singular kernel, a diverged run. */
export class NumericalError extends Error {
  override readonly name = 'NumericalError';
  constructor(message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

/** Formats a number for messages: integers as is, others with 6 significant digits. */
export function formatValue(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    return Number.isFinite(value) ? value.toPrecision(6) : String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
