import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../src/errors.js';
import { getBit, type KernelImplementation } from '../../src/linalg/bitpack.js';
import { multiplyABt, multiplyAtB } from '../../src/linalg/dense.js';
import { activeInputSums, allocateReluForwardBuffers, reluLayerForward, type TieAllowance } from '../../src/linalg/reluLayer.js';
import { wasmKernelsAvailable } from '../../src/linalg/wasmKernels.js';
import { createRng } from '../../src/util/rng.js';

const implementations: KernelImplementation[] = wasmKernelsAvailable() ? ['typescript', 'wasm'] : ['typescript'];

/** Unfused reference: z = X W^T, then the sums and bits by plain loops over r in order. */
function plainForward(
  x: Float64Array,
  n: number,
  w: Float64Array,
  m: number,
  d: number,
  signs: Float64Array,
  ties: TieAllowance | null,
): { sums: number[]; bits: number[][] } {
  const z = multiplyABt(x, n, w, m, d);
  const sums: number[] = [];
  const bits: number[][] = Array.from({ length: m }, () => []);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let r = 0; r < m; r++) {
      const value = z[i * m + r]!;
      sum += signs[r]! * Math.max(value, 0);
      const threshold = ties === null ? 0 : ties.negatedTolerances[i]! * ties.neuronScales[r]!;
      bits[r]!.push(value >= threshold ? 1 : 0);
    }
    sums.push(sum);
  }
  return { sums, bits };
}

/** Unfused reference of the gradient sums: X^T A with A_ir = c_i 1[active], transposed to m x d. */
function plainActiveSums(bits: number[][], c: Float64Array, x: Float64Array, n: number, d: number): number[] {
  const m = bits.length;
  const weighted = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let r = 0; r < m; r++) weighted[i * m + r] = c[i]! * bits[r]![i]!;
  const transposed = multiplyAtB(x, n, d, weighted, m);
  const out: number[] = [];
  for (let r = 0; r < m; r++) for (let k = 0; k < d; k++) out.push(transposed[k * m + r]!);
  return out;
}

function bitRows(patterns: ReturnType<typeof allocateReluForwardBuffers>['patterns']): number[][] {
  return Array.from({ length: patterns.rows }, (_, r) => Array.from({ length: patterns.cols }, (_, i) => getBit(patterns, r, i)));
}

function randomProblem(seed: number, n: number, m: number, d: number) {
  const rng = createRng(seed);
  return {
    x: Float64Array.from({ length: n * d }, () => rng.nextGaussian()),
    w: Float64Array.from({ length: m * d }, () => rng.nextGaussian()),
    signs: Float64Array.from({ length: m }, () => rng.nextSign()),
    c: Float64Array.from({ length: n }, () => rng.nextGaussian()),
  };
}

describe('reluLayerForward', () => {
  for (const implementation of implementations) {
    it(`matches the hand case (${implementation})`, () => {
      // x_0 = (1, 0), x_1 = (0, 2); w_0 = (1, 1), w_1 = (-1, 0), w_2 = (0, -1).
      // z_0 = (1, -1, 0), z_1 = (2, 0, -2); signs (1, -1, 1).
      // sums: x_0: 1 - 0 + 0 = 1; x_1: 2 - 0 + 0 = 2. Ties z = 0 count as active.
      const buffers = allocateReluForwardBuffers(2, 3);
      const x = Float64Array.from([1, 0, 0, 2]);
      const w = Float64Array.from([1, 1, -1, 0, 0, -1]);
      reluLayerForward(x, 2, w, 3, 2, Float64Array.from([1, -1, 1]), null, buffers, { implementation });
      expect(Array.from(buffers.sums)).toEqual([1, 2]);
      expect(bitRows(buffers.patterns)).toEqual([
        [1, 1],
        [0, 1],
        [1, 0],
      ]);
    });

    it(`counts a rounded tie as active with the allowance (${implementation})`, () => {
      // (-0.1) + (-0.2) + 0.3 rounds to -5.55e-17, not to 0: plain 1[z >= 0] gives inactive.
      const x = Float64Array.from([0.1, 0.2, 0.3]);
      const w = Float64Array.from([-1, -1, 1]);
      const without = allocateReluForwardBuffers(1, 1);
      reluLayerForward(x, 1, w, 1, 3, Float64Array.from([1]), null, without, { implementation });
      expect(getBit(without.patterns, 0, 0)).toBe(0);

      const ties = { negatedTolerances: Float64Array.from([-1e-12 * 0.6]), neuronScales: Float64Array.from([1]) };
      const withTies = allocateReluForwardBuffers(1, 1);
      reluLayerForward(x, 1, w, 1, 3, Float64Array.from([1]), ties, withTies, { implementation });
      expect(getBit(withTies.patterns, 0, 0)).toBe(1);
      // The output uses relu(z) with no tie rule: a tiny negative z contributes 0.
      expect(withTies.sums[0]).toBe(0);
    });

    it(`equals the unfused loops bit for bit (${implementation})`, () => {
      // Sizes off the kernel blocks: n not a multiple of 4 or 32, m not a multiple of 4,
      // odd d, and m beyond one block of 2048 neurons.
      for (const [seed, n, m, d] of [
        [1, 1, 1, 1],
        [2, 37, 13, 5],
        [3, 64, 40, 64],
        [4, 9, 2051, 3],
      ] as const) {
        const { x, w, signs } = randomProblem(seed, n, m, d);
        const rng = createRng(seed + 100);
        const ties = {
          negatedTolerances: Float64Array.from({ length: n }, () => -0.3 * rng.nextFloat()),
          neuronScales: Float64Array.from({ length: m }, () => rng.nextFloat()),
        };
        for (const rule of [null, ties]) {
          const buffers = allocateReluForwardBuffers(n, m);
          reluLayerForward(x, n, w, m, d, signs, rule, buffers, { implementation });
          const expected = plainForward(x, n, w, m, d, signs, rule);
          expect(Array.from(buffers.sums)).toEqual(expected.sums);
          expect(bitRows(buffers.patterns)).toEqual(expected.bits);
        }
      }
    });
  }

  for (const implementation of implementations) {
    it(`handles zero inputs and zero neurons (${implementation})`, () => {
      const noInputs = allocateReluForwardBuffers(0, 3);
      reluLayerForward(new Float64Array(0), 0, new Float64Array(6), 3, 2, new Float64Array(3), null, noInputs, { implementation });
      expect(noInputs.patterns.words.length).toBe(0);
      const sums = new Float64Array(3 * 2).fill(7);
      activeInputSums(noInputs.patterns, new Float64Array(0), new Float64Array(0), 2, sums, { implementation });
      expect(Array.from(sums)).toEqual([0, 0, 0, 0, 0, 0]);

      const noNeurons = allocateReluForwardBuffers(2, 0);
      reluLayerForward(new Float64Array(4), 2, new Float64Array(0), 0, 2, new Float64Array(0), null, noNeurons, { implementation });
      expect(Array.from(noNeurons.sums)).toEqual([0, 0]);
    });
  }

  it('rejects pattern buffers of the wrong shape', () => {
    const { x, w, signs } = randomProblem(5, 4, 3, 2);
    expect(() => reluLayerForward(x, 4, w, 3, 2, signs, null, allocateReluForwardBuffers(3, 4))).toThrow(InvalidInputError);
  });

  it('rejects a tolerance array of the wrong length', () => {
    const { x, w, signs } = randomProblem(6, 4, 3, 2);
    const ties = { negatedTolerances: new Float64Array(3), neuronScales: new Float64Array(3) };
    expect(() => reluLayerForward(x, 4, w, 3, 2, signs, ties, allocateReluForwardBuffers(4, 3))).toThrow(/one tolerance per input/);
  });
});

describe('activeInputSums', () => {
  for (const implementation of implementations) {
    it(`matches the hand case (${implementation})`, () => {
      // Neuron 0 is active for inputs 0 and 1, neuron 1 for input 1 only.
      // G_0 = 2 (1, 0) + (-1)(3, 4) = (-1, -4); G_1 = (-3, -4).
      const buffers = allocateReluForwardBuffers(2, 2);
      reluLayerForward(Float64Array.from([1, 0, 3, 4]), 2, Float64Array.from([1, 0, -1, 1]), 2, 2, Float64Array.from([1, 1]), null, buffers);
      expect(bitRows(buffers.patterns)).toEqual([
        [1, 1],
        [0, 1],
      ]);
      const out = new Float64Array(4);
      activeInputSums(buffers.patterns, Float64Array.from([2, -1]), Float64Array.from([1, 0, 3, 4]), 2, out, { implementation });
      expect(Array.from(out)).toEqual([-1, -4, -3, -4]);
    });

    it(`equals the plain product bit for bit (${implementation})`, () => {
      // The WebAssembly kernel sums d = 20 in chunks of 16 and 4 columns, and d = 5 in chunks of 4
      // and 2 (one of them padding).
      for (const [seed, n, m, d] of [
        [11, 1, 1, 1],
        [12, 37, 13, 5],
        [13, 70, 33, 20],
        [14, 9, 2051, 2],
      ] as const) {
        const { x, w, signs, c } = randomProblem(seed, n, m, d);
        const buffers = allocateReluForwardBuffers(n, m);
        reluLayerForward(x, n, w, m, d, signs, null, buffers);
        const out = new Float64Array(m * d);
        activeInputSums(buffers.patterns, c, x, d, out, { implementation });
        expect(Array.from(out)).toEqual(plainActiveSums(bitRows(buffers.patterns), c, x, n, d));
      }
    });

    it(`returns zeros when no input is active (${implementation})`, () => {
      const buffers = allocateReluForwardBuffers(3, 2);
      const out = new Float64Array(2 * 2).fill(7);
      activeInputSums(buffers.patterns, Float64Array.from([1, 2, 3]), new Float64Array(6).fill(1), 2, out, { implementation });
      expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    });
  }

  it('rejects a coefficient per neuron instead of per input', () => {
    const buffers = allocateReluForwardBuffers(3, 5);
    expect(() => activeInputSums(buffers.patterns, new Float64Array(5), new Float64Array(6), 2, new Float64Array(10))).toThrow(
      /one coefficient per input/,
    );
  });
});
