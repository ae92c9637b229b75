/**
 * Seeded pseudo-random numbers for every random draw in bitbound.
 *
 * The generator is xoshiro128** (Blackman and Vigna, "Scrambled linear pseudorandom number
 * generators", 2018) on four 32-bit words, seeded through splitmix32 so that nearby seeds
 * give unrelated streams. Library code never calls `Math.random`: every function that draws
 * takes an `Rng`, so the same seed and options give the same numbers on every platform.
 *
 * Gaussian draws use the Box-Muller transform and keep the second value of each pair.
 */

/** A seeded random stream. */
export interface Rng {
  /** Returns a uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Returns a uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** Returns a standard normal draw. */
  nextGaussian(): number;
  /** Returns -1 or +1 with probability 1/2 each. */
  nextSign(): number;
  /** Returns a uniform integer in [0, bound) without modulo bias. */
  nextInt(bound: number): number;
  /**
   * Returns an independent stream derived from this stream's seed and `label`. Forking does
   * not advance this stream, so adding a fork never changes the draws of existing ones.
   */
  fork(label: string | number): Rng;
  /** The seed this stream was created from (after label mixing for forks). */
  readonly seed: number;
}

/** Creates a stream from a seed; any integer in [0, 2^32) or a string label. */
export function createRng(seed: number | string): Rng {
  const seed32 = typeof seed === 'string' ? hashString(seed, 0x9e3779b9) : toUint32(seed);
  return new Xoshiro128(seed32);
}

/** Mixes a seed with a label into a new 32-bit seed (FNV-1a over the label, then splitmix). */
export function deriveSeed(seed: number, label: string | number): number {
  return hashString(String(label), toUint32(seed));
}

class Xoshiro128 implements Rng {
  readonly seed: number;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareGaussian: number | null = null;

  constructor(seed: number) {
    this.seed = seed;
    let state = seed;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      return splitmix32(state);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // The all-zero state is a fixed point of xoshiro; splitmix32 cannot return four zeros
    // in a row, but the guard keeps that invariant visible.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  nextGaussian(): number {
    if (this.spareGaussian !== null) {
      const spare = this.spareGaussian;
      this.spareGaussian = null;
      return spare;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const u = 1 - this.nextFloat();
    const v = this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * v;
    this.spareGaussian = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  nextSign(): number {
    return (this.nextUint32() & 1) === 0 ? 1 : -1;
  }

  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound <= 0 || bound > 2 ** 32) {
      throw new RangeError(`nextInt: bound must be an integer in [1, 2^32], got ${bound}`);
    }
    // Rejection sampling: discard the top partial block of 2^32 so every residue is equally likely.
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const draw = this.nextUint32();
      if (draw < limit) return draw % bound;
    }
  }

  fork(label: string | number): Rng {
    return new Xoshiro128(deriveSeed(this.seed, label));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function splitmix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function hashString(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return splitmix32(hash);
}

function toUint32(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`createRng: seed must be a finite number, got ${seed}`);
  return Math.trunc(seed) >>> 0;
}
