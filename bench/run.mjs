// Benchmark of the bitbound linear-algebra kernels and training step against the same
// computations in NumPy, and of the default `bitbound check` on one and two worker threads.
//
//     npm run bench                      (builds, then runs every case)
//     node bench/run.mjs --quick         (small cases only; needs a prior `npm run build`)
//
// Imports the compiled library from dist/. Times are medians over several runs after one
// untimed warm-up run. The NumPy side (bench/numpy_baseline.py) runs in a child process with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, and is skipped with a message when
// `python3 -c 'import numpy'` fails. The parallel case runs dist/src/cli/main.js in child
// processes (skipped with --quick). Results go to stdout and to bench/RESULTS.md (skipped
// with --quick).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { packActivationPatterns, packSigns, patternOverlap, signActivationPatterns } from '../dist/src/linalg/bitpack.js';
import { gram, multiplyABt } from '../dist/src/linalg/dense.js';
import { lambdaMinIterative } from '../dist/src/linalg/eigen.js';
import { preactivationPatternRowsWasm, wasmKernelsAvailable } from '../dist/src/linalg/wasmKernels.js';
import { parseWeightQuantizer } from '../dist/src/model/quantizer.js';
import { createFullPrecisionStepper, createOneBitStepper, gradientStep } from '../dist/src/model/train.js';
import { createRng } from '../dist/src/util/rng.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const REPETITIONS = 5;
const KAPPA = 1;
const LEARNING_RATE = 0.1;
/** Runs of the default check per worker count, alternating between the two counts. */
const CHECK_RUNS = 5;
/** Speedup of `--workers 2` over `--workers 1` that the parallel case should reach. */
const PARALLEL_SPEEDUP_TARGET = 1.6;
/**
 * Share of the cores used by other processes above which a section's times are flagged as
 * disturbed: on 2 cores, 10% means another process took a fifth of one core on average.
 */
const CONTENTION_WARNING_SHARE = 0.1;


async function main() {
  const results = [];
  const casesStart = cpuTicks();
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
    // One step of the engine's trainers: `gradientStep` with the steppers that
    // trainFullPrecision and trainOneBit use, on weights that move from call to call.
    const [n, d, m] = [512, 64, 16384];
    const { x, weights, rng } = makeProblem(2, n, d, m);
    const targets = Float64Array.from({ length: n }, () => 2 * rng.nextFloat() - 1);
    const outputWeights = Float64Array.from({ length: m }, () => rng.nextSign());
    const shape = { width: m, dimension: d, kappa: KAPPA, sigma: 1 };
    // The `sign` quantizer at sigma = 1 uses beta = sqrt(2 / pi), as the NumPy step does.
    const steppers = [
      ['full', createFullPrecisionStepper(shape, outputWeights, x, n)],
      ['1-bit', createOneBitStepper(shape, outputWeights, parseWeightQuantizer('sign'), { activationBits: null }, x, n)],
    ];
    for (const [label, stepper] of steppers) {
      const stepWeights = Float64Array.from(weights);
      let outputs = stepper.forward(stepWeights);
      const timing = timeRepeated(() => {
        outputs = gradientStep(stepper, stepWeights, outputs, targets, LEARNING_RATE);
      }, REPETITIONS);
      record(`GD step ${label} n=${n} d=${d} m=${m}`, timing);
    }
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

  const casesContention = otherProcessesShare(casesStart, cpuTicks());
  const peak = quick ? null : measurePeakMemory();
  const numpyStart = cpuTicks();
  const numpy = runNumpy(kernelFile, kernelSize);
  if (numpy) numpy.contention = otherProcessesShare(numpyStart, cpuTicks());
  rmSync(workDir, { recursive: true, force: true });
  const parallel = quick ? null : measureParallelCheck();

  const report = renderReport(results, numpy, scaling, peak, parallel, casesContention);
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

/**
 * Times the default `bitbound check` with --workers 1 and --workers 2 (CHECK_RUNS runs each,
 * alternating so that a change in machine load hits both counts alike), and compares the
 * JSON reports byte for byte.
 */
function measureParallelCheck() {
  const cli = join(benchDir, '..', 'dist', 'src', 'cli', 'main.js');
  const runs = { 1: [], 2: [] };
  const contention = { 1: [], 2: [] };
  const reports = new Set();
  for (let run = 0; run < CHECK_RUNS; run++) {
    for (const workers of [1, 2]) {
      const args = [cli, 'check', '--no-output', '--json', '--progress', 'never', '--workers', String(workers)];
      const ticksBefore = cpuTicks();
      const start = process.hrtime.bigint();
      const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const ticksAfter = cpuTicks();
      // Exit status 1 means a claim was violated or refuted: the report is still complete.
      if (child.status !== 0 && child.status !== 1) {
        console.error(`parallel case: \`node ${args.join(' ')}\` failed with status ${child.status}: ${child.stderr}`);
        return null;
      }
      runs[workers].push(seconds);
      contention[workers].push(otherProcessesShare(ticksBefore, ticksAfter));
      reports.add(child.stdout);
      console.log(`check --workers ${workers}: ${seconds.toFixed(2)} s`);
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    command: 'node dist/src/cli/main.js check --no-output --json --progress never --workers N',
    one: { median: median(runs[1]), min: Math.min(...runs[1]), times: runs[1], contention: contention[1] },
    two: { median: median(runs[2]), min: Math.min(...runs[2]), times: runs[2], contention: contention[2] },
    speedup: median(runs[1]) / median(runs[2]),
    bestSpeedup: Math.min(...runs[1]) / Math.min(...runs[2]),
    identical: reports.size === 1,
    phases: [1, 2].map(measureCheckPhases),
    ceiling: measureTwoCoreCeiling(median(runs[1])),
  };
}

/**
 * Runs two independent one-thread checks at the same time, twice, and compares their wall
 * time with a one-thread check alone (`aloneSeconds`). Two processes share nothing, so the
 * slowdown is what the machine itself costs when both cores work (shared caches, memory
 * bandwidth, the hypervisor), and 2 / (1 + slowdown) bounds any two-thread speedup here.
 */
function measureTwoCoreCeiling(aloneSeconds) {
  const cli = join(benchDir, '..', 'dist', 'src', 'cli', 'main.js');
  const args = [cli, 'check', '--no-output', '--json', '--progress', 'never', '--workers', '1'];
  const pairs = [];
  for (let pair = 0; pair < 2; pair++) {
    // A helper process starts both children at once and prints each one's wall time.
    const script = [
      "const { spawn } = require('node:child_process');",
      'const args = process.argv.slice(1);',
      'const runOne = () => new Promise((resolve) => {',
      '  const start = process.hrtime.bigint();',
      "  spawn(process.execPath, args, { stdio: 'ignore' }).on('exit', (code) => resolve(code === 0 || code === 1 ? Number(process.hrtime.bigint() - start) / 1e9 : -1));",
      '});',
      "Promise.all([runOne(), runOne()]).then((times) => console.log(times.join('\\n')));",
    ].join('\n');
    const child = spawnSync(process.execPath, ['-e', script, ...args], { encoding: 'utf8' });
    const times = child.stdout.trim().split('\n').map(Number).filter((value) => value > 0);
    if (child.status !== 0 || times.length !== 2) {
      console.error(`two-core ceiling: the concurrent runs failed (status ${child.status}): ${child.stderr}`);
      return null;
    }
    pairs.push(...times);
    console.log(`two concurrent check --workers 1: ${times.map((time) => time.toFixed(2)).join(' s, ')} s`);
  }
  const median = [...pairs].sort((a, b) => a - b)[Math.floor(pairs.length / 2)];
  const slowdown = median / aloneSeconds - 1;
  return { times: pairs, median, slowdown, bound: 2 / (1 + slowdown) };
}

/** Runs bench/check_phases.mjs once for `workers`; returns its phase times, or null if it failed. */
function measureCheckPhases(workers) {
  const before = cpuTicks();
  const child = spawnSync(process.execPath, [join(benchDir, 'check_phases.mjs'), String(workers)], { encoding: 'utf8' });
  const contention = otherProcessesShare(before, cpuTicks());
  if (child.status !== 0) {
    console.error(`check_phases.mjs ${workers} failed with status ${child.status}: ${child.stderr}`);
    return null;
  }
  return { ...JSON.parse(child.stdout.trim().split('\n').pop()), contention };
}

/**
 * Returns CPU ticks (Linux USER_HZ) from /proc: busy and total over all cores, and `own`, the
 * CPU time of this process (all threads) plus its finished children. Null where /proc is
 * missing.
 */
function cpuTicks() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    // The command name (field 2) may contain spaces, so count fields after its closing bracket:
    // utime, stime, cutime and cstime are fields 14 to 17 of /proc/self/stat.
    const self = readFileSync('/proc/self/stat', 'utf8');
    const after = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    const own = after[11] + after[12] + after[13] + after[14];
    // Fields 4 and 5 of /proc/stat are idle and iowait.
    return { busy: total - fields[3] - fields[4], total, own };
  } catch {
    return null;
  }
}

/**
 * Share of all cores' time used by processes other than this one and its children between
 * two cpuTicks() readings: 0 on an otherwise idle machine. A share above a few percent means
 * other work competed with the measurement.
 */
function otherProcessesShare(before, after) {
  if (before === null || after === null || after.total === before.total) return null;
  const others = after.busy - before.busy - (after.own - before.own);
  return Math.max(0, others) / (after.total - before.total);
}

function formatShare(share) {
  return share === null || share === undefined ? 'n/a' : `${Math.round(100 * share)}%`;
}

/** Returns the 1-, 5- and 15-minute load averages, or null where /proc/loadavg is missing. */
function loadAverages() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return null;
  }
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

/** Renders the parallel check section of RESULTS.md: timings, speedup and the phase breakdown. */
function renderParallelSection(parallel) {
  const lines = [];
  lines.push('', '## Parallel check', '');
  lines.push(`Command: \`${parallel.command}\`, N = 1 and 2, ${CHECK_RUNS} runs each, alternating; wall time of the child process.`);
  lines.push('Other processes: the share of both cores that processes other than the benchmark and its children used during each run.', '');
  lines.push('| workers | median (s) | min (s) | runs (s) | other processes per run |');
  lines.push('| ---: | ---: | ---: | --- | --- |');
  for (const [workers, timing] of [[1, parallel.one], [2, parallel.two]]) {
    const shares = timing.contention.map(formatShare).join(', ');
    lines.push(
      `| ${workers} | ${timing.median.toFixed(2)} | ${timing.min.toFixed(2)} | ${timing.times.map((time) => time.toFixed(2)).join(', ')} | ${shares} |`,
    );
  }
  lines.push('');
  lines.push(
    `- Speedup of 2 threads over 1, from the medians: ${parallel.speedup.toFixed(2)} ` +
      `(target ${PARALLEL_SPEEDUP_TARGET}: ${parallel.speedup >= PARALLEL_SPEEDUP_TARGET ? 'met' : 'missed'}); ` +
      `from the fastest runs: ${parallel.bestSpeedup.toFixed(2)}.`,
  );
  lines.push(`- JSON reports of all ${2 * CHECK_RUNS} runs byte-identical: ${parallel.identical ? 'yes' : 'no'}.`);
  if (parallel.ceiling) {
    const { times, median, slowdown, bound } = parallel.ceiling;
    lines.push(
      `- Two independent one-thread checks run at the same time took ${times.map((time) => time.toFixed(2)).join(', ')} s ` +
        `(median ${median.toFixed(2)} s), ${(100 * slowdown).toFixed(0)}% longer than one alone. The processes share nothing, ` +
        `so that is the cost of using both cores on this machine, and it bounds the two-thread speedup at ${bound.toFixed(2)}.`,
    );
  }
  const [one, two] = parallel.phases;
  if (one && two) {
    lines.push('', 'Where the time goes: one more run per worker count, in process (bench/check_phases.mjs), wall seconds.', '');
    lines.push('| phase | workers 1 | workers 2 | runs on |');
    lines.push('| --- | ---: | ---: | --- |');
    const rows = [
      ['load the CLI modules', 'imports', 'main thread'],
      ['data, limit kernels, planning', 'setup', 'main thread'],
      ['until the first item of the main thread is done', 'firstItem', 'main thread'],
      ['all work items, and the evaluation of what needs only the main grid', 'itemsPhase', 'main thread and workers'],
      ['claim evaluation after the last item', 'evaluation', 'main thread'],
      ['report', 'report', 'main thread'],
      ['total', 'total', ''],
    ];
    for (const [label, key, where] of rows) lines.push(`| ${label} | ${one[key].toFixed(2)} | ${two[key].toFixed(2)} | ${where} |`);
    lines.push(`| share of both cores used by other processes | ${formatShare(one.contention)} | ${formatShare(two.contention)} |  |`);
    const serial = one.imports + one.setup + one.evaluation + one.report;
    lines.push('');
    lines.push(
      `- Serial part of the one-worker run: ${serial.toFixed(2)} s of ${one.total.toFixed(2)} s; with perfect ` +
        `division of the items over two threads the bound is ${(one.total / (serial + one.itemsPhase / 2)).toFixed(2)}x.`,
    );
    lines.push(`- Items phase speedup: ${(one.itemsPhase / two.itemsPhase).toFixed(2)}x.`);
  }
  return lines;
}

function renderReport(results, numpy, scaling, peak, parallel, casesContention) {
  const machine = machineDescription();
  const lines = [];
  lines.push('# Benchmark results', '');
  lines.push(`Date: ${new Date().toISOString().slice(0, 10)}. Command: \`npm run bench\` (bench/run.mjs).`);
  lines.push(
    `Machine: ${machine.cores} cores, ${machine.model}; Node ${machine.node}; ` +
      (numpy ? `NumPy ${numpy.meta.numpy} (Python ${numpy.meta.python}), OpenBLAS with both cores.` : 'NumPy not available.'),
  );
  lines.push(
    `WebAssembly SIMD kernels: ${wasmKernelsAvailable() ? 'used' : 'not available, TypeScript kernels used'}. ` +
      'bitbound runs on one thread except in the parallel check case.',
  );
  lines.push(`Load averages (1, 5, 15 min) when the report was written: ${loadAverages() ?? 'unknown'}.`);
  lines.push(
    `Share of both cores used by other processes: ${formatShare(casesContention)} during the bitbound cases, ` +
      `${formatShare(numpy?.contention)} during the NumPy baseline (0% is an otherwise idle machine).`,
  );
  const disturbed = [casesContention, numpy?.contention].some((share) => share !== null && share !== undefined && share > CONTENTION_WARNING_SHARE);
  if (disturbed) {
    lines.push(`WARNING: other processes used more than ${formatShare(CONTENTION_WARNING_SHARE)} of the cores, so these times are disturbed; rerun on an idle machine.`);
  }
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
  if (parallel) lines.push(...renderParallelSection(parallel));
  lines.push('');
  lines.push('What each case computes (the NumPy script does the same with matrix products):');
  lines.push('- S: signs s_r = sign(w_r) packed one bit per weight, patterns 1[s_r . x_i >= 0] from byte tables with exact signs, popcount overlap, then (kappa^2 / m) (X X^T) o O.');
  lines.push('- H: patterns 1[w_r . x_i >= 0] from the WebAssembly SIMD product kernel (never storing X W^T), popcount overlap, then the same assembly.');
  lines.push(
    '- GD step: one `gradientStep` call, the function both trainers (trainFullPrecision, trainOneBit) run per step: residuals, ' +
      'gradient sums over the active inputs of each neuron (activeInputSums, WebAssembly SIMD), weight update, then the fused forward pass ' +
      '(reluLayerForward: outputs and activation bits, never storing the n x m pre-activations). The 1-bit step first quantizes ' +
      'with the `sign` quantizer (q = sqrt(2/pi) sign(w)) and uses the tie rule of oneBitIndicatorThreshold.',
  );
  lines.push('- lambda_min: Lanczos with full reorthogonalization (lambdaMinIterative) against numpy.linalg.eigvalsh, same 1024 x 1024 pattern kernel (n = 1024, d = 8, m = 4096).');
  lines.push('');
  return lines.join('\n');
}

if (args.has('--peak-memory')) {
  runPeakMemoryChild();
} else {
  await main();
}
