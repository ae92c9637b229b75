/**
 * The three scaling-law forms, written in log space for fitting.
 *
 * Each form predicts log L from log-transformed inputs and an internal parameter vector in
 * which every positive quantity appears through its logarithm, so that an unconstrained
 * optimizer cannot make it negative. The forms are
 *
 *     pure      L = (X_c / X)^alpha                   internal (k, alpha), k = alpha ln X_c
 *     offset    L = E + A / X^alpha                   internal (e, a, alpha), E = e^e, A = e^a
 *     two-term  L = E + A / N^alpha + B / D^beta      internal (e, a, b, alpha, beta)
 *
 * In the pure form log L = k - alpha ln X is linear in (k, alpha), so its fit is convex. The
 * other forms evaluate log L as a log-sum-exp of their terms, which does not overflow for
 * large exponents. Exponents are unconstrained real numbers, so the data can also show a
 * negative exponent.
 */

export type ScalingForm = 'pure' | 'offset' | 'two-term';

/** Log-space inputs of a fit: one column of ln X per variable the form uses, and ln L. */
export interface LogDesign {
  /** ln X for pure and offset; ln N then ln D for two-term. */
  logInputs: readonly Float64Array[];
  logLoss: Float64Array;
}

/** A scaling-law form: its parameters, its log-space prediction and its starting grid. */
export interface FormModel {
  form: ScalingForm;
  /** Names of the reported parameters, in reporting order. */
  parameterNames: readonly string[];
  /** Number of internal (and reported) parameters. */
  parameterCount: number;
  /** Human-readable formula, e.g. `L = E + A / N^alpha`. */
  formula: string;
  /**
   * Returns ln L predicted for point `index` and writes d(ln L) / d(internal parameter) into
   * `jacobianRow` when it is given.
   */
  predictLog(internal: Float64Array, design: LogDesign, index: number, jacobianRow: Float64Array | null): number;
  /** Starting points for the optimizer, derived from the data. */
  startingPoints(design: LogDesign): Float64Array[];
  /** Converts internal parameters to reported ones (E, A, X_c, exponents), in `parameterNames` order. */
  toReported(internal: Float64Array): number[];
}

/** Exponent values of the starting grid, covering the range reported for language models (about 0.05 to 0.5) and beyond. */
const EXPONENT_GRID = [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2];

/**
 * Starting values of the irreducible loss E as fractions of the smallest observed loss. E must
 * lie below every loss for the offset forms to fit, and 1e-6 stands for "no offset".
 */
const OFFSET_FRACTION_GRID = [1e-6, 0.2, 0.4, 0.6, 0.8, 0.95];

/** Shares of the reducible loss L - E given to the N term at the start of a two-term fit. */
const TERM_SHARE_GRID = [0.25, 0.5, 0.75];

/**
 * Creates the model of a form. `variableName` names X in the pure and offset forms (N, D or C)
 * and is ignored by the two-term form, which always uses N and D.
 */
export function createFormModel(form: ScalingForm, variableName: string): FormModel {
  switch (form) {
    case 'pure':
      return createPureModel(variableName);
    case 'offset':
      return createOffsetModel(variableName);
    case 'two-term':
      return createTwoTermModel();
  }
}

function createPureModel(variableName: string): FormModel {
  return {
    form: 'pure',
    parameterNames: [`${variableName}_c`, 'alpha'],
    parameterCount: 2,
    formula: `L = (${variableName}_c / ${variableName})^alpha`,

    predictLog(internal, design, index, jacobianRow) {
      const logX = (design.logInputs[0] as Float64Array)[index] as number;
      const intercept = internal[0] as number;
      const alpha = internal[1] as number;
      if (jacobianRow) {
        jacobianRow[0] = 1;
        jacobianRow[1] = -logX;
      }
      return intercept - alpha * logX;
    },

    // The objective is convex in (k, alpha), so one start suffices: the least-squares line.
    startingPoints(design) {
      const line = leastSquaresLine(design.logInputs[0] as Float64Array, design.logLoss);
      return [Float64Array.of(line.intercept, -line.slope)];
    },

    toReported(internal) {
      const intercept = internal[0] as number;
      const alpha = internal[1] as number;
      return [Math.exp(intercept / alpha), alpha];
    },
  };
}

function createOffsetModel(variableName: string): FormModel {
  return {
    form: 'offset',
    parameterNames: ['E', 'A', 'alpha'],
    parameterCount: 3,
    formula: `L = E + A / ${variableName}^alpha`,

    predictLog(internal, design, index, jacobianRow) {
      const logX = (design.logInputs[0] as Float64Array)[index] as number;
      const offsetTerm = internal[0] as number;
      const powerTerm = (internal[1] as number) - (internal[2] as number) * logX;
      const total = logSumExp2(offsetTerm, powerTerm);
      if (jacobianRow) {
        const powerWeight = Math.exp(powerTerm - total);
        jacobianRow[0] = Math.exp(offsetTerm - total);
        jacobianRow[1] = powerWeight;
        jacobianRow[2] = -powerWeight * logX;
      }
      return total;
    },

    startingPoints(design) {
      const logX = design.logInputs[0] as Float64Array;
      const losses = Array.from(design.logLoss, Math.exp);
      const minimumLoss = Math.min(...losses);
      const starts: Float64Array[] = [];
      for (const fraction of OFFSET_FRACTION_GRID) {
        const offset = fraction * minimumLoss;
        for (const alpha of EXPONENT_GRID) {
          // Choose ln A so the power term matches the median excess loss at this exponent.
          const logCoefficient = median(losses.map((loss, i) => Math.log(loss - offset) + alpha * (logX[i] as number)));
          starts.push(Float64Array.of(Math.log(offset), logCoefficient, alpha));
        }
      }
      return starts;
    },

    toReported(internal) {
      return [Math.exp(internal[0] as number), Math.exp(internal[1] as number), internal[2] as number];
    },
  };
}

function createTwoTermModel(): FormModel {
  return {
    form: 'two-term',
    parameterNames: ['E', 'A', 'B', 'alpha', 'beta'],
    parameterCount: 5,
    formula: 'L = E + A / N^alpha + B / D^beta',

    predictLog(internal, design, index, jacobianRow) {
      const logN = (design.logInputs[0] as Float64Array)[index] as number;
      const logD = (design.logInputs[1] as Float64Array)[index] as number;
      const offsetTerm = internal[0] as number;
      const sizeTerm = (internal[1] as number) - (internal[3] as number) * logN;
      const dataTerm = (internal[2] as number) - (internal[4] as number) * logD;
      const largest = Math.max(offsetTerm, sizeTerm, dataTerm);
      const total =
        largest + Math.log(Math.exp(offsetTerm - largest) + Math.exp(sizeTerm - largest) + Math.exp(dataTerm - largest));
      if (jacobianRow) {
        const sizeWeight = Math.exp(sizeTerm - total);
        const dataWeight = Math.exp(dataTerm - total);
        jacobianRow[0] = Math.exp(offsetTerm - total);
        jacobianRow[1] = sizeWeight;
        jacobianRow[2] = dataWeight;
        jacobianRow[3] = -sizeWeight * logN;
        jacobianRow[4] = -dataWeight * logD;
      }
      return total;
    },

    startingPoints(design) {
      const logN = design.logInputs[0] as Float64Array;
      const logD = design.logInputs[1] as Float64Array;
      const losses = Array.from(design.logLoss, Math.exp);
      const minimumLoss = Math.min(...losses);
      const starts: Float64Array[] = [];
      for (const fraction of OFFSET_FRACTION_GRID) {
        const offset = fraction * minimumLoss;
        for (const share of TERM_SHARE_GRID) {
          for (const alpha of EXPONENT_GRID) {
            const logA = median(losses.map((loss, i) => Math.log(share * (loss - offset)) + alpha * (logN[i] as number)));
            for (const beta of EXPONENT_GRID) {
              const logB = median(
                losses.map((loss, i) => Math.log((1 - share) * (loss - offset)) + beta * (logD[i] as number)),
              );
              starts.push(Float64Array.of(Math.log(offset), logA, logB, alpha, beta));
            }
          }
        }
      }
      return starts;
    },

    toReported(internal) {
      return [
        Math.exp(internal[0] as number),
        Math.exp(internal[1] as number),
        Math.exp(internal[2] as number),
        internal[3] as number,
        internal[4] as number,
      ];
    },
  };
}

function logSumExp2(left: number, right: number): number {
  const largest = Math.max(left, right);
  return largest + Math.log(Math.exp(left - largest) + Math.exp(right - largest));
}

function median(values: readonly number[]): number {
  const sorted = values.slice().sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : 0.5 * ((sorted[middle - 1] as number) + (sorted[middle] as number));
}

function leastSquaresLine(xs: Float64Array, ys: Float64Array): { slope: number; intercept: number } {
  const n = xs.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += xs[i] as number;
    meanY += ys[i] as number;
  }
  meanX /= n;
  meanY /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - meanX;
    sxx += dx * dx;
    sxy += dx * ((ys[i] as number) - meanY);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, intercept: meanY - slope * meanX };
}
