// Child process of bench/run.mjs: runs the default check in this process with a progress
// sink and prints the wall time of its phases as one JSON line, for `--workers N`:
//
//     node bench/check_phases.mjs N
//
// Phases: loading the CLI modules, the serial setup (data and limit kernels, planning),
// the work items (on N threads), the serial evaluation of the claims after the last item,
// and building the report. Needs a prior `npm run build`.
const started = performance.now();
// As the CLI does: the helper workers load their modules while this thread loads the rest.
const { prestartCheckWorkers } = await import('../dist/src/check/prestart.js');
prestartCheckWorkers(['--workers', process.argv[2]]);
const { resolveClaims } = await import('../dist/src/cli/check.js');
const { runCheck } = await import('../dist/src/check/runner.js');
const { DEFAULT_CHECK_OPTIONS, validateCheckOptions } = await import('../dist/src/check/options.js');
const { buildReport, serializeReport } = await import('../dist/src/report/report.js');
const imported = performance.now();

const workers = Number(process.argv[2]);
if (!Number.isInteger(workers) || workers < 1) {
  console.error(`check_phases.mjs: the worker count must be an integer >= 1, got ${process.argv[2]}`);
  process.exit(2);
}

const phaseStarts = [];
const itemTimes = [];
const progress = {
  phase(name) {
    phaseStarts.push({ name, at: performance.now() });
  },
  advance() {
    itemTimes.push(performance.now());
  },
};
const result = await runCheck(resolveClaims([]), validateCheckOptions(DEFAULT_CHECK_OPTIONS), { workers, progress });
const evaluated = performance.now();
serializeReport(buildReport(result, []));
const reported = performance.now();

// The last phase is the work items; the items are the advances after it starts.
const itemsStart = phaseStarts[phaseStarts.length - 1].at;
const items = itemTimes.filter((time) => time >= itemsStart);
const seconds = (milliseconds) => milliseconds / 1000;
console.log(
  JSON.stringify({
    workers,
    items: items.length,
    imports: seconds(imported - started),
    setup: seconds(itemsStart - imported),
    firstItem: seconds(items[0] - itemsStart),
    itemsPhase: seconds(items[items.length - 1] - itemsStart),
    evaluation: seconds(evaluated - items[items.length - 1]),
    report: seconds(reported - evaluated),
    total: seconds(reported - started),
  }),
);
