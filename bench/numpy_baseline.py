"""NumPy float64 baseline for the bitbound benchmark (bench/run.mjs).

Each case does the same computation as its bitbound counterpart with the usual NumPy
idioms: activation patterns by a matrix product and a comparison, the pattern overlap
O = P P^T as a float64 matrix product, and numpy.linalg.eigvalsh for lambda_min.
Conventions match bitbound: sign(0) = +1 and every indicator is 1[z >= 0].

Output: one JSON object on stdout mapping case names to timings (median seconds over the
repetitions, with every repetition listed). Run it alone with

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/numpy_baseline.py --quick

The environment variables are unset so that OpenBLAS picks its own kernel and cache sizes.
"""

import argparse
import json
import math
import resource
import statistics
import sys
import time

import numpy as np

KAPPA = 1.0
LEARNING_RATE = 0.1


def unit_rows(rng, rows, cols):
    """Returns a rows x cols matrix of Gaussian rows scaled to unit Euclidean norm."""
    x = rng.standard_normal((rows, cols))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def signs_of(weights, alpha=0.0):
    """Returns sign(weights - alpha) in {-1, +1} as float64, with sign(0) = +1."""
    return np.where(weights - alpha >= 0.0, 1.0, -1.0)


def kernel_from_preactivations(x, preactivations, width):
    """Returns (kappa^2 / m) (X X^T) o (P P^T) with P = 1[preactivations >= 0]."""
    patterns = (preactivations >= 0.0).astype(np.float64)
    overlap = patterns @ patterns.T
    return (KAPPA * KAPPA / width) * (x @ x.T) * overlap


def sign_kernel(x, weights):
    """Sign kernel S: patterns of the 1-bit weights s_r = sign(w_r)."""
    signs = signs_of(weights)
    return kernel_from_preactivations(x, x @ signs.T, weights.shape[0])


def ntk_kernel(x, weights):
    """Finite-width kernel H: patterns of the full-precision weights."""
    return kernel_from_preactivations(x, x @ weights.T, weights.shape[0])


def gradient_step(x, y, weights, output_weights, hidden_of):
    """One full-batch gradient-descent step; hidden_of maps latent weights to the hidden layer used."""
    width = weights.shape[0]
    scale = KAPPA / math.sqrt(width)
    hidden = hidden_of(weights)
    preactivations = x @ hidden.T
    outputs = scale * (np.maximum(preactivations, 0.0) @ output_weights)
    residual = outputs - y
    active = (preactivations >= 0.0) * residual[:, None]
    gradient = scale * output_weights[:, None] * (active.T @ x)
    return weights - LEARNING_RATE * gradient


def time_repeated(fn, repetitions):
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "times": times}


def make_problem(seed, n, d, m):
    rng = np.random.default_rng(seed)
    x = unit_rows(rng, n, d)
    weights = rng.standard_normal((m, d))
    return rng, x, weights


def run_cases(args):
    results = {}
    big = [] if args.quick else [(1024, 64, 65536)]
    for n, d, m in [(512, 64, 16384)] + big:
        _, x, weights = make_problem(1, n, d, m)
        reps = args.repetitions if m <= 16384 else max(1, args.repetitions // 2)
        results[f"S n={n} d={d} m={m}"] = time_repeated(lambda: sign_kernel(x, weights), reps)
        results[f"H n={n} d={d} m={m}"] = time_repeated(lambda: ntk_kernel(x, weights), reps)

    n, d, m = 512, 64, 16384
    rng, x, weights = make_problem(2, n, d, m)
    y = rng.uniform(-1.0, 1.0, n)
    output_weights = np.where(rng.uniform(size=m) < 0.5, -1.0, 1.0)
    beta = math.sqrt(2.0 / math.pi)
    results[f"GD step full n={n} d={d} m={m}"] = time_repeated(
        lambda: gradient_step(x, y, weights, output_weights, lambda w: w), args.repetitions
    )
    results[f"GD step 1-bit n={n} d={d} m={m}"] = time_repeated(
        lambda: gradient_step(x, y, weights, output_weights, lambda w: beta * signs_of(w)),
        args.repetitions,
    )

    if args.kernel_file:
        size = args.kernel_size
        kernel = np.fromfile(args.kernel_file, dtype="<f8").reshape(size, size)
        results[f"lambda_min n={size}"] = time_repeated(
            lambda: np.linalg.eigvalsh(0.5 * (kernel + kernel.T))[0], args.repetitions
        )
        results[f"lambda_min n={size}"]["value"] = float(np.linalg.eigvalsh(0.5 * (kernel + kernel.T))[0])

    if not args.quick:
        n, d = 256, 64
        for exponent in range(12, 21, 2):
            m = 2**exponent
            _, x, weights = make_problem(3, n, d, m)
            reps = args.repetitions if m <= 2**16 else max(1, args.repetitions // 2)
            results[f"S scaling n={n} d={d} m=2^{exponent}"] = time_repeated(
                lambda: sign_kernel(x, weights), reps
            )
    return results


def run_peak_memory(args):
    """Computes S once at the requested size and reports the peak resident set size."""
    _, x, weights = make_problem(3, args.n, args.d, args.m)
    sign_kernel(x, weights)
    # ru_maxrss is in KiB on Linux.
    peak_bytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"peak_rss_bytes": peak_bytes}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5, help="timed runs per case (median reported)")
    parser.add_argument("--quick", action="store_true", help="only the small cases")
    parser.add_argument("--kernel-file", help="little-endian float64 file with the matrix for the lambda_min case")
    parser.add_argument("--kernel-size", type=int, default=1024, help="order of the matrix in --kernel-file")
    parser.add_argument("--peak-memory", action="store_true", help="measure peak RSS of one S computation at --n, --d, --m")
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--m", type=int, default=2**20)
    args = parser.parse_args()

    if args.peak_memory:
        output = run_peak_memory(args)
    else:
        output = run_cases(args)
    output_meta = {"numpy": np.__version__, "python": sys.version.split()[0]}
    json.dump({"meta": output_meta, "results": output}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
