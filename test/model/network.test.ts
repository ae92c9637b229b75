import { describe, expect, it } from 'vitest';
import {
  allocateQuantizedWeights,
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
  oneBitIndicatorThreshold,
  outputsFromPreactivations,
  preactivations,
  squaredLoss,
  type NetworkShape,
} from '../../src/model/network.js';
import {
  createFullPrecisionStepper,
  createOneBitStepper,
  gradientStep,
  trainFullPrecision,
  trainOneBit,
  type GradientStepper,
} from '../../src/model/train.js';
import { createRng } from '../../src/util/rng.js';
import { InvalidInputError } from '../../src/errors.js';

/** Central finite differences of a smooth function agree with its gradient to about h^2; 1e-6 relative is ample at h = 1e-5. */
const FINITE_DIFFERENCE_TOLERANCE = 1e-6;
/** Closed-form values computed in float64 from a handful of operations. */
const CLOSED_FORM_TOLERANCE = 1e-12;
/** The same tolerance as decimal digits for toBeCloseTo (|difference| < 10^-digits / 2). */
const CLOSED_FORM_DIGITS = 12;

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

  it('writes into reused output arrays exactly what a fresh quantization returns', () => {
    const latent = Float64Array.from({ length: 5 * 3 }, (_, index) => Math.sin(index * 1.3 + 0.2) * 2);
    for (const name of ['sign', 'sign-neuron', 'sign-centred', 'ternary', '3bit']) {
      const quantizer = parseWeightQuantizer(name);
      const out = allocateQuantizedWeights(5, 3);
      // Stale contents must not leak into the result.
      out.values.fill(99);
      out.levels.fill(7);
      const reused = quantizer.quantize(latent, 5, 3, 1, out);
      const fresh = quantizer.quantize(latent, 5, 3, 1);
      expect(reused).toBe(out);
      expect(Array.from(reused.levels)).toEqual(Array.from(fresh.levels));
      expect(Array.from(reused.scales)).toEqual(Array.from(fresh.scales));
      expect(Array.from(reused.values)).toEqual(Array.from(fresh.values));
    }
  });

  it('rejects output arrays of another shape', () => {
    expect(() => parseWeightQuantizer('sign').quantize(new Float64Array(6), 3, 2, 1, allocateQuantizedWeights(2, 3))).toThrow(/expected 6, 6 and 3 for width 3 x dimension 2/);
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

describe('gradient stepper', () => {
  const shape: NetworkShape = { width: 37, dimension: 3, kappa: 1.3, sigma: 1 };
  const rows = 9;
  const rng = createRng(21);
  const inputs = Float64Array.from({ length: rows * shape.dimension }, () => rng.nextGaussian());
  // Input 0 is an exact tie for the sign row (-1, -1, +1): 1/64 + 11/32 = 23/64 exactly, but
  // the 1-bit pre-activation (-beta/64) + (-11 beta/32) + (23 beta/64) rounds to -5.55e-17.
  inputs.set([1 / 64, 11 / 32, 23 / 64], 0);
  const targets = Float64Array.from({ length: rows }, () => rng.nextFloat() * 2 - 1);
  const params = initializeNetwork(shape, createRng(8));
  params.hiddenWeights.set([-0.5, -0.7, 0.4], 0);
  const quantizer = createSignQuantizer({ beta: 'fixed', centring: 'zero' });
  const learningRate = 0.3;

  /** Runs the unfused step: z, u, e, then w - eta * hiddenWeightGradient, as the trainers did before fusion. */
  function referenceStep(oneBit: boolean, weights: Float64Array): { outputs: Float64Array; updated: Float64Array } {
    const quantized = quantizer.quantize(weights, shape.width, shape.dimension, shape.sigma);
    const effective = oneBit ? quantized.values : weights;
    const z = preactivations(inputs, rows, effective, shape.width, shape.dimension);
    const outputs = outputsFromPreactivations(z, rows, params.outputSigns, shape.kappa);
    const residuals = outputs.map((value, i) => value - targets[i]!);
    const tieAllowance = oneBit ? { rows: oneBitIndicatorThreshold(inputs, rows, shape.dimension), scales: quantized.scales } : null;
    const gradient = hiddenWeightGradient(z, inputs, rows, residuals, params.outputSigns, shape.dimension, shape.kappa, tieAllowance);
    return { outputs, updated: weights.map((value, j) => value - learningRate * gradient[j]!) };
  }

  const steppers: [string, boolean, () => GradientStepper][] = [
    ['full precision', false, () => createFullPrecisionStepper(shape, params.outputSigns, inputs, rows)],
    ['1-bit', true, () => createOneBitStepper(shape, params.outputSigns, quantizer, { activationBits: null }, inputs, rows)],
  ];
  for (const [name, oneBit, create] of steppers) {
    it(`forward equals the unfused outputs (${name})`, () => {
      expect(Array.from(create().forward(params.hiddenWeights))).toEqual(Array.from(referenceStep(oneBit, params.hiddenWeights).outputs));
    });

    it(`descend equals the unfused update (${name})`, () => {
      const stepper = create();
      const weights = Float64Array.from(params.hiddenWeights);
      const outputs = stepper.forward(weights);
      stepper.descend(weights, outputs.map((value, i) => value - targets[i]!), learningRate);
      expect(Array.from(weights)).toEqual(Array.from(referenceStep(oneBit, params.hiddenWeights).updated));
    });

    it(`gradientStep chains three steps like the unfused loop (${name})`, () => {
      const stepper = create();
      const weights = Float64Array.from(params.hiddenWeights);
      let outputs = stepper.forward(weights);
      let expectedWeights = Float64Array.from(params.hiddenWeights);
      for (let step = 0; step < 3; step++) {
        outputs = gradientStep(stepper, weights, outputs, targets, learningRate);
        expectedWeights = referenceStep(oneBit, expectedWeights).updated;
        expect(Array.from(weights)).toEqual(Array.from(expectedWeights));
        expect(Array.from(outputs)).toEqual(Array.from(referenceStep(oneBit, expectedWeights).outputs));
      }
    });
  }

  it('counts the rounded 1-bit tie as active', () => {
    const quantized = quantizer.quantize(params.hiddenWeights, shape.width, shape.dimension, shape.sigma);
    const z = preactivations(inputs, rows, quantized.values, shape.width, shape.dimension);
    // Precondition: the tie rounds below zero, so plain 1[z >= 0] would drop input 0.
    expect(z[0]).toBeLessThan(0);

    const stepper = createOneBitStepper(shape, params.outputSigns, quantizer, { activationBits: null }, inputs, rows);
    const weights = Float64Array.from(params.hiddenWeights);
    stepper.forward(weights);
    // Residual 1 on input 0 only: neuron 0 moves by eta * (kappa / sqrt(m)) a_0 x_0 exactly when input 0 is active.
    const residuals = new Float64Array(rows);
    residuals[0] = 1;
    stepper.descend(weights, residuals, learningRate);
    const factor = learningRate * ((shape.kappa / Math.sqrt(shape.width)) * params.outputSigns[0]!);
    for (let k = 0; k < shape.dimension; k++) {
      expect(params.hiddenWeights[k]! - weights[k]!).toBeCloseTo(factor * inputs[k]!, CLOSED_FORM_DIGITS);
    }
  });

  it('rejects descend before forward', () => {
    const stepper = createFullPrecisionStepper(shape, params.outputSigns, inputs, rows);
    expect(() => stepper.descend(Float64Array.from(params.hiddenWeights), new Float64Array(rows), learningRate)).toThrow(InvalidInputError);
  });
});
