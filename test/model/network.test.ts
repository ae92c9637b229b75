import { describe, expect, it } from 'vitest';
import {
  createBitWeightQuantizer,
  createSignQuantizer,
  createTernaryQuantizer,
  fixedSignScale,
  parseWeightQuantizer,
  quantizeActivationsAbsmax,
} from '../../src/model/quantizer.js';
import {
  forwardFullPrecision,
  forwardOneBit,
  hiddenWeightGradient,
  initializeNetwork,
  preactivations,
  squaredLoss,
  type NetworkShape,
} from '../../src/model/network.js';
import { trainFullPrecision, trainOneBit } from '../../src/model/train.js';
import { createRng } from '../../src/util/rng.js';
import { InvalidInputError } from '../../src/errors.js';

/** Central finite differences of a smooth function agree with its gradient to about h^2; 1e-6 relative is ample at h = 1e-5. */
const FINITE_DIFFERENCE_TOLERANCE = 1e-6;
/** Closed-form values computed in float64 from a handful of operations. */
const CLOSED_FORM_TOLERANCE = 1e-12;

function unitRows(rows: number[][]): Float64Array {
  return Float64Array.from(rows.flatMap((row) => {
    const norm = Math.hypot(...row);
    return row.map((value) => value / norm);
  }));
}

describe('sign quantizer', () => {
  it('maps zero to +1', () => {
    const quantizer = createSignQuantizer({ beta: 'fixed', centring: 'zero' });
    const result = quantizer.quantize(Float64Array.from([0, -0.5, 2, -0]), 2, 2, 1);
    expect(Array.from(result.levels)).toEqual([1, -1, 1, 1]);
  });

  it('uses E|w| as the fixed scale', () => {
    expect(fixedSignScale(2)).toBeCloseTo(2 * Math.sqrt(2 / Math.PI), 14);
    const result = createSignQuantizer({ beta: 'fixed', centring: 'zero' }).quantize(Float64Array.from([1, -1]), 1, 2, 2);
    expect(result.values[0]).toBeCloseTo(2 * Math.sqrt(2 / Math.PI), 14);
    expect(result.values[1]).toBeCloseTo(-2 * Math.sqrt(2 / Math.PI), 14);
  });

  it('computes layer and neuron scales', () => {
    const latent = Float64Array.from([1, -3, 0.5, 0.5]);
    const layer = createSignQuantizer({ beta: 'layer', centring: 'zero' }).quantize(latent, 2, 2, 1);
    expect(Array.from(layer.scales)).toEqual([1.25, 1.25]);
    const neuron = createSignQuantizer({ beta: 'neuron', centring: 'zero' }).quantize(latent, 2, 2, 1);
    expect(Array.from(neuron.scales)).toEqual([2, 0.5]);
    expect(Array.from(neuron.values)).toEqual([2, -2, 0.5, 0.5]);
  });

  it('centres on the layer mean', () => {
    // Mean is 1, so 0.5 -> -1, 1 -> +1 (tie), 1.5 -> +1, 1 -> +1.
    const result = createSignQuantizer({ beta: 'layer', centring: 'layer-mean' }).quantize(Float64Array.from([0.5, 1, 1.5, 1]), 2, 2, 1);
    expect(Array.from(result.levels)).toEqual([-1, 1, 1, 1]);
  });
});

describe('ternary and b-bit quantizers', () => {
  it('rounds by the mean absolute value', () => {
    // mean |W| = (0.1 + 2 + 1 + 0.9) / 4 = 1; levels round(w / 1) clipped.
    const result = createTernaryQuantizer().quantize(Float64Array.from([0.1, -2, 1, -0.9]), 2, 2, 1);
    expect(Array.from(result.levels)).toEqual([0, -1, 1, -1]);
    expect(Array.from(result.scales)).toEqual([1, 1]);
  });

  it('quantizes weights to 2 bits by absmax', () => {
    // Q = 2, gamma = 2: levels clip(round(w), -2, 1), values level * 1.
    const result = createBitWeightQuantizer(2).quantize(Float64Array.from([2, -2, 0.4, -0.6]), 2, 2, 1);
    expect(Array.from(result.levels)).toEqual([1, -2, 0, -1]);
    expect(Array.from(result.values)).toEqual([1, -2, 0, -1]);
  });

  it('rejects unknown quantizer names', () => {
    expect(() => parseWeightQuantizer('binary')).toThrow(InvalidInputError);
    expect(() => parseWeightQuantizer('1bit')).toThrow(/from 2 to 8/);
  });
});

describe('absmax activation quantization', () => {
  it('matches the hand-worked 4-bit case', () => {
    // gamma = 1, Q = 8: round(x * 8) clipped to [-8, 7], then / 8.
    const result = quantizeActivationsAbsmax(Float64Array.from([1, -1, 0.3, 0.06]), 1, 4, 4);
    expect(Array.from(result)).toEqual([7 / 8, -1, 2 / 8, 0]);
  });

  it('leaves a zero row at zero', () => {
    expect(Array.from(quantizeActivationsAbsmax(new Float64Array(3), 1, 3, 8))).toEqual([0, 0, 0]);
  });
});

describe('network forward pass', () => {
  it('matches the formula on a hand example', () => {
    // m = 2, d = 2, kappa = 2: f(x) = (2 / sqrt 2) (a1 relu(w1.x) + a2 relu(w2.x)).
    const shape: NetworkShape = { width: 2, dimension: 2, kappa: 2, sigma: 1 };
    const params = { outputSigns: Float64Array.from([1, -1]), hiddenWeights: Float64Array.from([1, 2, -1, 0.5]) };
    const inputs = Float64Array.from([1, 0, 0, 1]);
    const outputs = forwardFullPrecision(shape, params, inputs, 2);
    // x = (1, 0): w1.x = 1, w2.x = -1 -> sqrt2 * 1.  x = (0, 1): 2 and 0.5 -> sqrt2 * 1.5.
    expect(outputs[0]).toBeCloseTo(Math.SQRT2, 14);
    expect(outputs[1]).toBeCloseTo(1.5 * Math.SQRT2, 14);
  });

  it('uses beta times signs on the 1-bit net', () => {
    const shape: NetworkShape = { width: 2, dimension: 2, kappa: 1, sigma: 1 };
    const params = { outputSigns: Float64Array.from([1, 1]), hiddenWeights: Float64Array.from([0.3, -5, 2, 0]) };
    const quantizer = createSignQuantizer({ beta: 'fixed', centring: 'zero' });
    const { outputs } = forwardOneBit(shape, params, quantizer, Float64Array.from([1, 0]), 1, { activationBits: null });
    // s1 = (1, -1), s2 = (1, 1): both give s.x = 1, so f = beta * 2 / sqrt 2.
    expect(outputs[0]).toBeCloseTo((fixedSignScale(1) * 2) / Math.SQRT2, CLOSED_FORM_TOLERANCE);
  });
});

describe('hidden-weight gradient', () => {
  const shape: NetworkShape = { width: 16, dimension: 5, kappa: 1.3, sigma: 1 };
  const rows = 7;
  const rng = createRng(11);
  const inputs = unitRows(Array.from({ length: rows }, () => Array.from({ length: shape.dimension }, () => rng.nextGaussian())));
  const targets = Float64Array.from({ length: rows }, () => rng.nextFloat() * 2 - 1);
  const params = initializeNetwork(shape, createRng(3));

  it('matches central finite differences of the loss', () => {
    const z = preactivations(inputs, rows, params.hiddenWeights, shape.width, shape.dimension);
    const outputs = forwardFullPrecision(shape, params, inputs, rows);
    const residuals = outputs.map((value, i) => value - targets[i]);
    const gradient = hiddenWeightGradient(z, inputs, rows, residuals, params.outputSigns, shape.dimension, shape.kappa);

    const step = 1e-5;
    const loss = (weights: Float64Array): number =>
      squaredLoss(forwardFullPrecision(shape, { outputSigns: params.outputSigns, hiddenWeights: weights }, inputs, rows), targets);
    for (const index of [0, 7, 23, 41, 79]) {
      const plus = Float64Array.from(params.hiddenWeights);
      const minus = Float64Array.from(params.hiddenWeights);
      plus[index] += step;
      minus[index] -= step;
      const numeric = (loss(plus) - loss(minus)) / (2 * step);
      expect(Math.abs(numeric - gradient[index])).toBeLessThan(FINITE_DIFFERENCE_TOLERANCE * Math.max(1, Math.abs(numeric)));
    }
  });

  it('gives the straight-through gradient as the gradient at q', () => {
    // STE: the latent gradient equals the full-precision gradient evaluated at the quantized weights.
    const quantizer = createSignQuantizer({ beta: 'fixed', centring: 'zero' });
    const quantized = quantizer.quantize(params.hiddenWeights, shape.width, shape.dimension, shape.sigma);
    const atQ = { outputSigns: params.outputSigns, hiddenWeights: quantized.values };
    const outputs = forwardFullPrecision(shape, atQ, inputs, rows);
    const residuals = outputs.map((value, i) => value - targets[i]);
    const z = preactivations(inputs, rows, quantized.values, shape.width, shape.dimension);
    const expected = hiddenWeightGradient(z, inputs, rows, residuals, params.outputSigns, shape.dimension, shape.kappa);

    const record = trainOneBit(shape, params, quantizer, { activationBits: null }, { inputs, rows, targets }, { learningRate: 1, steps: 1, checkpoints: [1] });
    const moved = record.snapshots.get(1)!;
    for (let j = 0; j < moved.length; j++) expect(params.hiddenWeights[j] - moved[j]).toBeCloseTo(expected[j], 12);
  });
});

describe('training', () => {
  const shape: NetworkShape = { width: 512, dimension: 4, kappa: 1, sigma: 1 };
  const rows = 12;
  const rng = createRng(5);
  const inputs = unitRows(Array.from({ length: rows }, () => Array.from({ length: 4 }, () => rng.nextGaussian())));
  const targets = Float64Array.from({ length: rows }, () => rng.nextFloat() * 2 - 1);
  const params = initializeNetwork(shape, createRng(9));

  it('lowers the full-precision loss at a small step', () => {
    const record = trainFullPrecision(shape, params, { inputs, rows, targets }, { learningRate: 0.1, steps: 200, checkpoints: [0, 200] });
    expect(record.divergedAtStep).toBeNull();
    expect(record.losses[200]).toBeLessThan(0.5 * record.losses[0]);
    expect(record.movementL2[0]).toBe(0);
    expect(record.movementL2[200]).toBeGreaterThan(0);
    expect(record.snapshots.has(200)).toBe(true);
  });

  it('lowers the 1-bit loss with the straight-through estimator', () => {
    const quantizer = createSignQuantizer({ beta: 'fixed', centring: 'zero' });
    const record = trainOneBit(shape, params, quantizer, { activationBits: null }, { inputs, rows, targets }, { learningRate: 0.1, steps: 200, checkpoints: [] });
    expect(record.losses[200]).toBeLessThan(record.losses[0]);
    expect(record.movementLinf[200]).toBeGreaterThan(0);
  });

  it('stops and reports divergence at a huge step', () => {
    const record = trainFullPrecision(shape, params, { inputs, rows, targets }, { learningRate: 1e4, steps: 100, checkpoints: [] });
    expect(record.divergedAtStep).not.toBeNull();
    expect(record.losses.every(Number.isFinite) || record.divergedAtStep === record.losses.length - 1).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const first = initializeNetwork(shape, createRng(42));
    const second = initializeNetwork(shape, createRng(42));
    expect(Array.from(first.hiddenWeights)).toEqual(Array.from(second.hiddenWeights));
    expect(Array.from(first.outputSigns)).toEqual(Array.from(second.outputSigns));
  });
});
