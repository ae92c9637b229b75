/**
 * Weight and activation quantizers of the 1-bit network.
 *
 * Conventions, fixed here for the whole project:
 * - sign(0) = +1, so a weight exactly at the centring point maps to +1.
 * - A quantized weight vector is q_r = beta_r * s_r, where s_r holds integer levels
 *   (in {-1, +1} for sign weights, {-1, 0, +1} for ternary weights) and beta_r > 0 is a scale.
 *   The sign kernel and the straight-through gradient use the levels s_r; the forward pass
 *   uses q_r.
 *
 * The sign quantizer follows BitNet (Wang et al., "BitNet: Scaling 1-bit Transformers for
 * Large Language Models", arXiv 2310.11453): sign of the centred weights with a
 * mean-absolute-value scale. The ternary quantizer follows BitNet b1.58 (Ma et al., "The Era
 * of 1-bit LLMs", arXiv 2402.17764): round(w / mean|W|) clipped to {-1, 0, 1}.
 */
import { InvalidInputError } from '../errors.js';

/** Choice of the scale beta of a quantized layer. */
export type BetaMode = 'fixed' | 'layer' | 'neuron';

/** Centring point subtracted before taking signs: 0, or the mean of all layer weights (BitNet centring). */
export type CentringMode = 'zero' | 'layer-mean';

/** Quantized hidden weights: q = scales[r] * levels[r, k], stored m x d row-major. */
export interface QuantizedWeights {
  /** Integer levels s_rk, m x d row-major. */
  readonly levels: Int8Array;
  /** Per-neuron scale beta_r, length m (all equal unless the beta mode is `neuron`). */
  readonly scales: Float64Array;
  /** Effective weights q_rk = beta_r * s_rk, m x d row-major. */
  readonly values: Float64Array;
}

/** A weight quantizer: maps latent full-precision weights to quantized weights. */
export interface WeightQuantizer {
  /** Name used in reports and on the command line, e.g. `sign` or `ternary`. */
  readonly name: string;
  /**
   * Quantizes latent weights (m x d row-major). `sigma` is the standard deviation of the
   * initialization, used by the `fixed` scale. With `out` (from
   * {@link allocateQuantizedWeights} for the same width and dimension), writes into its
   * arrays and returns it, so a training loop allocates nothing per step; without it,
   * returns new arrays.
   */
  quantize(latent: Float64Array, width: number, dimension: number, sigma: number, out?: QuantizedWeights): QuantizedWeights;
}

/** Options of the sign quantizer. */
export interface SignQuantizerOptions {
  readonly beta: BetaMode;
  readonly centring: CentringMode;
}

/**
 * Sign quantizer: s_rk = sign(w_rk - alpha) with sign(0) = +1, and
 * beta = sigma * sqrt(2/pi) (`fixed`, equal to E|w| for w ~ N(0, sigma^2)),
 * the mean of |W_rk| over the layer (`layer`), or the mean of |w_rk| over k (`neuron`).
 * alpha is 0 or the mean of all entries of W (`layer-mean`).
 */
export function createSignQuantizer(options: SignQuantizerOptions): WeightQuantizer {
  return {
    name: options.beta === 'fixed' && options.centring === 'zero' ? 'sign' : `sign(beta=${options.beta},centring=${options.centring})`,
    quantize(latent, width, dimension, sigma, out) {
      checkShape('createSignQuantizer', latent, width, dimension);
      const result = outputFor('createSignQuantizer', out, width, dimension);
      const { levels } = result;
      const alpha = options.centring === 'layer-mean' ? mean(latent) : 0;
      for (let i = 0; i < levels.length; i++) levels[i] = latent[i] - alpha >= 0 ? 1 : -1;

      computeScales(options.beta, latent, width, dimension, sigma, result.scales);
      scaleLevels(result, dimension);
      return result;
    },
  };
}

/**
 * Ternary quantizer (BitNet b1.58): gamma = mean |W| over the layer,
 * s_rk = clip(round(w_rk / gamma), -1, 1), q_rk = gamma * s_rk. Math.round rounds halves
 * towards +infinity; with continuous latents a half is hit with probability zero.
 */
export function createTernaryQuantizer(): WeightQuantizer {
  return {
    name: 'ternary',
    quantize(latent, width, dimension, _sigma, out) {
      checkShape('createTernaryQuantizer', latent, width, dimension);
      const result = outputFor('createTernaryQuantizer', out, width, dimension);
      const { levels } = result;
      const gamma = meanAbs(latent);
      for (let i = 0; i < levels.length; i++) {
        levels[i] = gamma > 0 ? clip(Math.round(latent[i] / gamma), -1, 1) : 0;
      }

      result.scales.fill(gamma);
      scaleLevels(result, dimension);
      return result;
    },
  };
}

/**
 * Symmetric b-bit weight quantizer by absmax over the layer: Q = 2^(b-1), gamma = max |W|,
 * level = clip(round(w * Q / gamma), -Q, Q - 1), q = level * gamma / Q. Levels beyond
 * [-128, 127] do not fit the Int8Array storage, so b is limited to 2..8.
 */
export function createBitWeightQuantizer(bits: number): WeightQuantizer {
  if (!Number.isInteger(bits) || bits < 2 || bits > 8) {
    throw new InvalidInputError('weight bits', bits, `must be an integer from 2 to 8 (use the sign quantizer for 1 bit), got ${bits}`);
  }
  const levelsPerSide = 2 ** (bits - 1);
  return {
    name: `${bits}bit`,
    quantize(latent, width, dimension, _sigma, out) {
      checkShape('createBitWeightQuantizer', latent, width, dimension);
      const result = outputFor('createBitWeightQuantizer', out, width, dimension);
      const { levels } = result;
      let gamma = 0;
      for (let i = 0; i < latent.length; i++) gamma = Math.max(gamma, Math.abs(latent[i]));

      for (let i = 0; i < levels.length; i++) {
        levels[i] = gamma > 0 ? clip(Math.round((latent[i] * levelsPerSide) / gamma), -levelsPerSide, levelsPerSide - 1) : 0;
      }
      result.scales.fill(gamma / levelsPerSide);
      scaleLevels(result, dimension);
      return result;
    },
  };
}

/**
 * Absmax b-bit activation quantization of each input row (BitNet):
 * gamma = max_k |x_k|, Q = 2^(b-1), xq = clip(round(x * Q / gamma), -Q, Q - 1) * gamma / Q.
 * The result is no longer unit-norm. A zero row stays zero.
 */
export function quantizeActivationsAbsmax(inputs: Float64Array, rows: number, dimension: number, bits: number): Float64Array {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new InvalidInputError('--activation-bits', bits, `must be an integer from 2 to 16, got ${bits}`);
  }
  const levelsPerSide = 2 ** (bits - 1);
  const quantized = new Float64Array(rows * dimension);
  for (let i = 0; i < rows; i++) {
    const offset = i * dimension;
    let gamma = 0;
    for (let k = 0; k < dimension; k++) gamma = Math.max(gamma, Math.abs(inputs[offset + k]));
    if (gamma === 0) continue;

    for (let k = 0; k < dimension; k++) {
      const level = clip(Math.round((inputs[offset + k] * levelsPerSide) / gamma), -levelsPerSide, levelsPerSide - 1);
      quantized[offset + k] = (level * gamma) / levelsPerSide;
    }
  }
  return quantized;
}

/** Parses a quantizer name from the command line: `sign`, `sign-layer`, `sign-neuron`, `sign-centred`, `ternary`, or `Nbit` (N = 2..8). */
export function parseWeightQuantizer(name: string): WeightQuantizer {
  switch (name) {
    case 'sign':
      return createSignQuantizer({ beta: 'fixed', centring: 'zero' });
    case 'sign-layer':
      return createSignQuantizer({ beta: 'layer', centring: 'zero' });
    case 'sign-neuron':
      return createSignQuantizer({ beta: 'neuron', centring: 'zero' });
    case 'sign-centred':
      return createSignQuantizer({ beta: 'layer', centring: 'layer-mean' });
    case 'ternary':
      return createTernaryQuantizer();
  }
  const bitMatch = /^([0-9]+)bit$/.exec(name);
  if (bitMatch) return createBitWeightQuantizer(Number(bitMatch[1]));
  throw new InvalidInputError(
    '--quantizer',
    name,
    `unknown quantizer ${JSON.stringify(name)}; use one of sign, sign-layer, sign-neuron, sign-centred, ternary, 2bit..8bit`,
  );
}

/** Returns the scale beta of a `fixed` sign quantizer: sigma * sqrt(2/pi) = E|w| for w ~ N(0, sigma^2). */
export function fixedSignScale(sigma: number): number {
  return sigma * Math.sqrt(2 / Math.PI);
}

/** Allocates the arrays of a quantization of m x d weights, for the `out` argument of `quantize`. */
export function allocateQuantizedWeights(width: number, dimension: number): QuantizedWeights {
  return { levels: new Int8Array(width * dimension), scales: new Float64Array(width), values: new Float64Array(width * dimension) };
}

function outputFor(caller: string, out: QuantizedWeights | undefined, width: number, dimension: number): QuantizedWeights {
  if (out === undefined) return allocateQuantizedWeights(width, dimension);
  if (out.levels.length !== width * dimension || out.values.length !== width * dimension || out.scales.length !== width) {
    throw new RangeError(
      `${caller}: the output arrays hold ${out.levels.length} levels, ${out.values.length} values and ${out.scales.length} scales, ` +
        `expected ${width * dimension}, ${width * dimension} and ${width} for width ${width} x dimension ${dimension}`,
    );
  }
  return out;
}

/** Writes the per-neuron scales beta_r into `scales` (length m). */
function computeScales(mode: BetaMode, latent: Float64Array, width: number, dimension: number, sigma: number, scales: Float64Array): Float64Array {
  if (mode === 'fixed') return scales.fill(fixedSignScale(sigma));
  if (mode === 'layer') return scales.fill(meanAbs(latent));

  for (let r = 0; r < width; r++) {
    let sum = 0;
    for (let k = 0; k < dimension; k++) sum += Math.abs(latent[r * dimension + k]);
    scales[r] = sum / dimension;
  }
  return scales;
}

/** Writes q_rk = s_rk * beta_r into `weights.values`. */
function scaleLevels(weights: QuantizedWeights, dimension: number): void {
  const { levels, scales, values } = weights;
  for (let r = 0; r < scales.length; r++) {
    const scale = scales[r];
    const offset = r * dimension;
    for (let k = 0; k < dimension; k++) values[offset + k] = levels[offset + k] * scale;
  }
}

function checkShape(caller: string, latent: Float64Array, width: number, dimension: number): void {
  if (latent.length !== width * dimension) {
    throw new RangeError(`${caller}: latent weights have ${latent.length} entries, expected width ${width} x dimension ${dimension}`);
  }
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length > 0 ? sum / values.length : 0;
}

function meanAbs(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.abs(values[i]);
  return values.length > 0 ? sum / values.length : 0;
}

function clip(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
