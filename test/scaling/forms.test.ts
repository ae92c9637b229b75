import { describe, expect, it } from 'vitest';

import { createFormModel, type LogDesign, type ScalingForm } from '../../src/scaling/forms.js';

/** Central differences with step 1e-6 have truncation and rounding errors near 1e-9 at these scales. */
const FINITE_DIFFERENCE_TOLERANCE = 1e-7;

/** Agreement of a closed-form evaluation with the same formula written out directly. */
const FORMULA_TOLERANCE = 1e-12;

const design: LogDesign = {
  logInputs: [Float64Array.from([1e6, 3e7, 2e9], Math.log), Float64Array.from([5e8, 1e10, 4e11], Math.log)],
  logLoss: Float64Array.from([3, 2.5, 2.1], Math.log),
};

const internalByForm: Record<ScalingForm, Float64Array> = {
  pure: Float64Array.of(2.4, 0.076),
  offset: Float64Array.of(Math.log(1.7), Math.log(400), 0.34),
  'two-term': Float64Array.of(Math.log(1.82), Math.log(482.01), Math.log(2085.43), 0.3478, 0.3658),
};

describe('createFormModel', () => {
  for (const form of ['pure', 'offset', 'two-term'] as const) {
    it(`${form} Jacobian matches finite differences`, () => {
      const model = createFormModel(form, 'N');
      const internal = internalByForm[form];
      const row = new Float64Array(model.parameterCount);
      for (let index = 0; index < 3; index++) {
        model.predictLog(internal, design, index, row);
        for (let j = 0; j < model.parameterCount; j++) {
          const step = 1e-6;
          const plus = Float64Array.from(internal);
          const minus = Float64Array.from(internal);
          plus[j] = plus[j]! + step;
          minus[j] = minus[j]! - step;
          const numeric = (model.predictLog(plus, design, index, null) - model.predictLog(minus, design, index, null)) / (2 * step);
          expect(Math.abs(row[j]! - numeric)).toBeLessThan(FINITE_DIFFERENCE_TOLERANCE * Math.max(1, Math.abs(numeric)));
        }
      }
    });
  }

  it('pure form evaluates (N_c / N)^alpha', () => {
    const model = createFormModel('pure', 'N');
    const internal = Float64Array.of(0.076 * Math.log(8.8e13), 0.076);
    const predicted = model.predictLog(internal, design, 1, null);
    expect(Math.abs(predicted - 0.076 * Math.log(8.8e13 / 3e7))).toBeLessThan(FORMULA_TOLERANCE);
    const [criticalSize, alpha] = model.toReported(internal);
    expect(Math.abs(criticalSize! / 8.8e13 - 1)).toBeLessThan(FORMULA_TOLERANCE);
    expect(alpha).toBe(0.076);
  });

  it('two-term form evaluates E + A / N^alpha + B / D^beta', () => {
    const model = createFormModel('two-term', 'N');
    const expected = 1.82 + 482.01 / 1e6 ** 0.3478 + 2085.43 / 5e8 ** 0.3658;
    const predicted = model.predictLog(internalByForm['two-term'], design, 0, null);
    expect(Math.abs(predicted - Math.log(expected))).toBeLessThan(FORMULA_TOLERANCE);
    const reported = model.toReported(internalByForm['two-term']);
    expect(reported.map((value) => +value.toPrecision(6))).toEqual([1.82, 482.01, 2085.43, 0.3478, 0.3658]);
  });

  it('names parameters after the variable', () => {
    expect(createFormModel('pure', 'C').parameterNames).toEqual(['C_c', 'alpha']);
    expect(createFormModel('offset', 'D').formula).toBe('L = E + A / D^alpha');
    expect(createFormModel('two-term', 'C').parameterNames).toEqual(['E', 'A', 'B', 'alpha', 'beta']);
  });

  it('offset starts keep E below the smallest loss', () => {
    const model = createFormModel('offset', 'N');
    const starts = model.startingPoints(design);
    expect(starts.length).toBeGreaterThan(10);
    for (const start of starts) {
      expect(Math.exp(start[0]!)).toBeLessThan(2.1);
      expect(starts.every((candidate) => candidate.every(Number.isFinite))).toBe(true);
    }
  });
});
