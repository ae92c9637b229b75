// Benchmark of the bitbound linear-algebra kernels against the same computations in NumPy.
//
//     npm run bench                      (builds, then runs every case)
//     node bench/run.mjs --quick         (small cases only; needs a prior `npm run build`)
//
// Imports the compiled library from dist/. Times are medians over several runs after one
// untimed warm-up run. The NumPy side (bench/numpy_baseline.py) runs in a child process with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, and is skipped with a message when
// `python3 -c 'import numpy'` fails. Results go to stdout and to bench/RESULTS.md (skipped
// with --quick).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  packActivationPatterns,
  packSigns,
  patternOverlap,
  patternTransposeProduct,
  signActivationPatterns,
  signDotProducts,
} from '../dist/src/linalg/bitpack.js';
import { gram, multiplyABt } from '../dist/src/linalg/dense.js';
import { lambdaMinIterative } from '../dist/src/linalg/eigen.js';
import { preactivationPatternRowsWasm, productRowsABtWasm, wasmKernelsAvailable } from '../dist/src/linalg/wasmKernels.js';
import { createRng } from '../dist/src/util/rng.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const REPETITIONS = 5;
const KAPPA = 1;
const LEARNING_RATE = 0.1;
const BETA = Math.sqrt(2 / Math.PI);


async function main() {
  const results = [];
  const record = (name, timing, extra = {}) => {
    results.push({ name, ...timing, ...extra });
    console.log(`${name}: median ${timing.median.toFixed(4)} s`);
  };

  const big = quick ? [] : [[1024, 64, 65536]];
  for (const [n, d, m] of [[512, 64, 16384], ...big]) {
    const { x, weights } = makeProblem(1, n, d, m);
    const repetitions = m <= 16384 ? REPETITIONS : 3;
    record(`S n=${n} d=${d} m=${m}`, timeRepeated(() => signKernel(x, weights, n, d, m), repetitions));
    record(`H n=${n} d=${d} m=${m}`, timeRepeated(() => ntkKernel(x, weights, n, d, m), repetitions));
  }

  {
    const [n, d, m] = [512, 64, 16384];
    const { x, weights, rng } = makeProblem(2, n, d, m);
    const targets = Float64Array.from({ length: n }, () => 2 * rng.nextFloat() - 1);
    const outputWeights = Float64Array.from({ length: m }, () => rng.nextSign());
    record(
      `GD step full n=${n} d=${d} m=${m}`,
      timeRepeated(() => gradientStepFull(x, targets, weights, outputWeights, n, d, m), REPETITIONS),
    );
    record(
      `GD step 1-bit n=${n} d=${d} m=${m}`,
      timeRepeated(() => gradientStepOneBit(x, targets, weights, outputWeights, n, d, m), REPETITIONS),
    );
  }

  const workDir = mkdtempSync(join(tmpdir(), 'bitbound-bench-'));
  const kernelSize = 1024;
  const kernelFile = join(workDir, 'kernel.f64');
  {
    // A pattern kernel with low input dimension, so that lambda_min / lambda_max is small.
    const [n, d, m] = [kernelSize, 8, 4096];
    const { x, weights } = makeProblem(4, n, d, m);
    const kernel = ntkKernel(x, weights, n, d, m);
    writeFileSync(kernelFile, Buffer.from(kernel.buffer, kernel.byteOffset, kernel.byteLength));
    let lanczos;
    const timing = timeRepeated(() => {
      lanczos = lambdaMinIterative(kernel, n);
    }, REPETITIONS);
    record(`lambda_min n=${n}`, timing, {
      value: lanczos.lambdaMin,
      detail: `Lanczos: ${lanczos.iterations} steps, converged ${lanczos.converged}, lambda_min ${lanczos.lambdaMin.toExponential(6)}, lambda_max ${lanczos.lambdaMax.toExponential(6)}, ratio ${(lanczos.lambdaMin / lanczos.lambdaMax).toExponential(2)}`,
    });
  }

  const scaling = [];
  if (!quick) {
    const [n, d] = [256, 64];
    for (let exponent = 12; exponent <= 20; exponent += 2) {
      const m = 2 ** exponent;
      const { x, weights } = makeProblem(3, n, d, m);
      const timing = timeRepeated(() => signKernel(x, weights, n, d, m), m <= 2 ** 16 ? REPETITIONS : 3);
      record(`S scaling n=${n} d=${d} m=2^${exponent}`, timing);
      scaling.push([m, timing.median]);
    }
  }

  const peak = quick ? null : measurePeakMemory();
  const numpy = runNumpy(kernelFile, kernelSize);
  rmSync(workDir, { recursive: true, force: true });

  const report = renderReport(results, numpy, scaling, peak);
  console.log(`\n${report}`);
  if (!quick) writeFileSync(join(benchDir, 'RESULTS.md'), report);
}

function makeProblem(seed, n, d, m) {
  const rng = createRng(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let sumSquares = 0;
    for (let k = 0; k < d; k++) {
      const value = rng.nextGaussian();
      x[i * d + k] = value;
      sumSquares += value * value;
    }
    const norm = Math.sqrt(sumSquares);
    for (let k = 0; k < d; k++) x[i * d + k] /= norm;
  }
  const weights = new Float64Array(m * d);
  for (let index = 0; index < weights.length; index++) weights[index] = rng.nextGaussian();
  return { x, weights, rng };
}

/** (kappa^2 / m) (X X^T) o O for packed patterns. */
function kernelFromPatterns(x, patterns, n, d, m) {
  const overlap = patternOverlap(patterns);
  const inner = gram(x, n, d);
  const kernel = new Float64Array(n * n);
  const scale = (KAPPA * KAPPA) / m;
  for (let index = 0; index < kernel.length; index++) kernel[index] = scale * inner[index] * overlap[index];
  return kernel;
}

function signKernel(x, weights, n, d, m) {
  const signs = packSigns(weights, m, d);
  return kernelFromPatterns(x, signActivationPatterns(signs, x, n, d), n, d, m);
}

function ntkKernel(x, weights, n, d, m) {
  let patterns;
  if (wasmKernelsAvailable()) {
    const words = preactivationPatternRowsWasm(x, n, weights, m, d, new Float64Array(n), 0, n);
    patterns = { rows: n, cols: m, wordsPerRow: Math.ceil(m / 32), words };
  } else {
    patterns = packActivationPatterns(multiplyABt(x, n, weights, m, d), n, m);
  }
  return kernelFromPatterns(x, patterns, n, d, m);
}

/** u = (kappa / sqrt(m)) sum_r a_r relu(scale * z_ir), then e = u - y. */
function residuals(preactivations, scale, outputWeights, targets, n, m) {
  const outputScale = KAPPA / Math.sqrt(m);
  const residual = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    const row = i * m;
    for (let r = 0; r < m; r++) {
      const z = scale * preactivations[row + r];
      if (z > 0) sum += outputWeights[r] * z;
    }
    residual[i] = outputScale * sum - targets[i];
  }
  return residual;
}

/** w_r <- w_r - eta (kappa / sqrt(m)) a_r sum_i e_i 1[z_ir >= 0] x_i. */
function applyGradient(weights, patterns, residual, x, outputWeights, d, m) {
  const sums = patternTransposeProduct(patterns, residual, x, d);
  const outputScale = KAPPA / Math.sqrt(m);
  const updated = new Float64Array(weights.length);
  for (let r = 0; r < m; r++) {
    const factor = LEARNING_RATE * outputScale * outputWeights[r];
    for (let k = 0; k < d; k++) updated[r * d + k] = weights[r * d + k] - factor * sums[r * d + k];
  }
  return updated;
}

function gradientStepFull(x, targets, weights, outputWeights, n, d, m) {
  const preactivations = wasmKernelsAvailable()
    ? productRowsABtWasm(x, n, weights, m, d, 0, n)
    : multiplyABt(x, n, weights, m, d);
  const residual = residuals(preactivations, 1, outputWeights, targets, n, m);
  const patterns = packActivationPatterns(preactivations, n, m);
  return applyGradient(weights, patterns, residual, x, outputWeights, d, m);
}

function gradientStepOneBit(x, targets, weights, outputWeights, n, d, m) {
  const signs = packSigns(weights, m, d);
  const preactivations = signDotProducts(signs, x, n, d);
  const residual = residuals(preactivations, BETA, outputWeights, targets, n, m);
  // 1[beta s . x >= 0] = 1[s . x >= 0] for beta > 0.
  const patterns = packActivationPatterns(preactivations, n, m);
  return applyGradient(weights, patterns, residual, x, outputWeights, d, m);
}

function timeRepeated(fn, repetitions) {
  fn();
  const times = [];
  for (let run = 0; run < repetitions; run++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], times };
}

/** Child-process mode: one S computation at n = 256, d = 64, m = 2^20, then VmHWM. */
function runPeakMemoryChild() {
  const [n, d, m] = [256, 64, 2 ** 20];
  const { x, weights } = makeProblem(3, n, d, m);
  signKernel(x, weights, n, d, m);
  const status = readFileSync('/proc/self/status', 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  console.log(JSON.stringify({ peak_rss_bytes: match ? Number(match[1]) * 1024 : null }));
}

function measurePeakMemory() {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--peak-memory'], { encoding: 'utf8' });
  if (child.status !== 0) {
    console.error(`peak-memory child failed: ${child.stderr}`);
    return null;
  }
  return JSON.parse(child.stdout.trim().split('\n').pop()).peak_rss_bytes;
}

function runNumpy(kernelFile, kernelSize) {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error('NumPy baseline skipped: `python3 -c "import numpy"` failed; install python3 and numpy to compare.');
    return null;
  }
  const script = join(benchDir, 'numpy_baseline.py');
  const common = ['-u', 'OPENBLAS_CORETYPE', '-u', 'OPENBLAS_L2_SIZE', 'python3', script];
  const timingArgs = ['--kernel-file', kernelFile, '--kernel-size', String(kernelSize)];
  if (quick) timingArgs.push('--quick');
  const timings = JSON.parse(execFileSync('env', [...common, ...timingArgs], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  let peak = null;
  if (!quick) {
    const memory = JSON.parse(execFileSync('env', [...common, '--peak-memory'], { encoding: 'utf8' }));
    peak = memory.results.peak_rss_bytes;
  }
  return { meta: timings.meta, results: timings.results, peak };
}

/** Least-squares slope of log(time) against log(m). */
function logLogSlope(points) {
  const xs = points.map(([m]) => Math.log(m));
  const ys = points.map(([, time]) => Math.log(time));
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = ys.reduce((a, b) => a + b, 0) / ys.length;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < xs.length; i++) {
    numerator += (xs[i] - meanX) * (ys[i] - meanY);
    denominator += (xs[i] - meanX) ** 2;
  }
  return numerator / denominator;
}

const TARGETS = {
  'S n=1024 d=64 m=65536': 1.0,
  'S n=512 d=64 m=16384': 2.0,
  'H n=1024 d=64 m=65536': 2.0,
  'H n=512 d=64 m=16384': 2.0,
  'GD step full n=512 d=64 m=16384': 3.0,
  'GD step 1-bit n=512 d=64 m=16384': 3.0,
  'lambda_min n=1024': 3.0,
};

function machineDescription() {
  const run = (command, commandArgs) => {
    try {
      return execFileSync(command, commandArgs, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  const model = /Model name:\s*(.+)/.exec(run('lscpu', []))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { cores: run('nproc', []), model, node: process.version };
}

function renderReport(results, numpy, scaling, peak) {
  const machine = machineDescription();
  const lines = [];
  lines.push('# Benchmark results', '');
  lines.push(`Date: ${new Date().toISOString().slice(0, 10)}. Command: \`npm run bench\` (bench/run.mjs).`);
  lines.push(
    `Machine: ${machine.cores} cores, ${machine.model}; Node ${machine.node}; ` +
      (numpy ? `NumPy ${numpy.meta.numpy} (Python ${numpy.meta.python}), OpenBLAS with both cores.` : 'NumPy not available.'),
  );
  lines.push(`WebAssembly SIMD kernels: ${wasmKernelsAvailable() ? 'used' : 'not available, TypeScript kernels used'}. bitbound runs on one thread.`);
  lines.push('');
  lines.push('Median wall time in seconds over the repetitions listed, after one untimed warm-up run (NumPy: no warm-up).');
  lines.push('Ratio = bitbound / NumPy; a ratio below 1 means bitbound is faster.', '');
  lines.push('| case | bitbound (s) | NumPy (s) | ratio | target | met |');
  lines.push('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const result of results) {
    const reference = numpy?.results[result.name]?.median;
    const ratio = reference ? result.median / reference : null;
    const target = TARGETS[result.name];
    const met = ratio === null || target === undefined ? '' : ratio <= target ? 'yes' : 'no';
    lines.push(
      `| ${result.name} | ${result.median.toFixed(4)} | ${reference ? reference.toFixed(4) : 'n/a'} | ` +
        `${ratio === null ? 'n/a' : ratio.toFixed(2)} | ${target ?? ''} | ${met} |`,
    );
  }
  lines.push('');
  for (const result of results) if (result.detail) lines.push(`- ${result.name}: ${result.detail}.`);
  const numpyLambda = numpy?.results['lambda_min n=1024']?.value;
  if (numpyLambda !== undefined) lines.push(`- NumPy eigvalsh lambda_min of the same matrix: ${numpyLambda.toExponential(6)}.`);
  if (scaling.length > 1) {
    const slope = logLogSlope(scaling);
    const ok = slope >= 0.9 && slope <= 1.1;
    lines.push(
      `- Width scaling of S (n = 256, d = 64, m = 2^12 .. 2^20): log-log slope ${slope.toFixed(3)} ` +
        `(target 0.9 .. 1.1: ${ok ? 'met' : 'missed'}).`,
    );
    if (numpy) {
      const numpyPoints = scaling
        .map(([m]) => [m, numpy.results[`S scaling n=256 d=64 m=2^${Math.log2(m)}`]?.median])
        .filter(([, time]) => time !== undefined);
      if (numpyPoints.length > 1) lines.push(`- NumPy slope on the same widths: ${logLogSlope(numpyPoints).toFixed(3)}.`);
    }
  }
  if (peak !== null) {
    const gib = peak / 2 ** 30;
    lines.push(
      `- Peak RSS (VmHWM) of one S computation at m = 2^20, d = 64, n = 256, in a child process: ` +
        `${(peak / 2 ** 20).toFixed(0)} MiB (target under 2 GiB: ${gib < 2 ? 'met' : 'missed'}).`,
    );
    if (numpy?.peak) lines.push(`- NumPy peak RSS (ru_maxrss) for the same computation: ${(numpy.peak / 2 ** 20).toFixed(0)} MiB.`);
    lines.push('- The bitbound peak includes the 512 MiB float64 weight matrix (m x d) that the case generates as input; the packed signs take 8 MiB and the patterns 32 MiB.');
  }
  lines.push('');
  lines.push('What each case computes (the NumPy script does the same with matrix products):');
  lines.push('- S: signs s_r = sign(w_r) packed one bit per weight, patterns 1[s_r . x_i >= 0] from byte tables with exact signs, popcount overlap, then (kappa^2 / m) (X X^T) o O.');
  lines.push('- H: patterns 1[w_r . x_i >= 0] from the WebAssembly SIMD product kernel (never storing X W^T), popcount overlap, then the same assembly.');
  lines.push('- GD step: forward pass, residuals, pattern bits, gradient sums from 256-entry subset tables over eight inputs, weight update. The 1-bit step gets s_r . x_i from signDotProducts.');
  lines.push('- lambda_min: Lanczos with full reorthogonalization (lambdaMinIterative) against numpy.linalg.eigvalsh, same 1024 x 1024 pattern kernel (n = 1024, d = 8, m = 4096).');
  lines.push('');
  return lines.join('\n');
}

if (args.has('--peak-memory')) {
  runPeakMemoryChild();
} else {
  await main();
}
