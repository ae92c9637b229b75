/**
 * End-to-end audit of input validation. Every invalid option value and data file below must
 * end the program with exit status 2 and exactly one line on stderr. The line names the
 * value, where it is, and the fix, with no stack trace and nothing on stdout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTemporaryDirectory, runCli, STACK_TRACE_PATTERN, type CliRun } from './spawn.js';

/** A tiny valid grid, so a case that wrongly passes validation still ends in seconds. */
const TINY_GRID = ['--widths', '8,16', '--seeds', '2', '--init-seeds', '2', '--steps', '3', '--workers', '1'];
const TINY = [...TINY_GRID, '--no-output', '--no-checkpoint'];
const TINY_DATA = ['--dataset', 'synthetic:linear:d=3:n=12'];

/** User id of `nobody`, used to make a file unreadable when the tests run as root. */
const NOBODY = 65534;

/** One invalid invocation and what its message must contain. */
interface InvalidCase {
  readonly name: string;
  /** Arguments; `{dir}` is replaced by the test's temporary directory. */
  readonly args: readonly string[];
  /** Each pattern must match the single stderr line: the value, the option or file, the fix. */
  readonly mentions: readonly RegExp[];
}

const OPTION_CASES: readonly InvalidCase[] = [
  { name: 'non-integer width', args: ['check', '--widths', '8,abc'], mentions: [/--widths/, /"8,abc"|"abc"/, /whole number/] },
  { name: 'negative width', args: ['check', '--widths', '-5'], mentions: [/--widths/, /-5/, /from 1 to 16777216/] },
  { name: 'zero width', args: ['check', '--widths', '0'], mentions: [/--widths/, /got 0/, /from 1 to/] },
  { name: 'empty width list', args: ['check', '--widths', ''], mentions: [/--widths/, /""/, /such as 256,1024,4096/] },
  { name: 'empty list entry', args: ['check', '--widths', '8,,16'], mentions: [/--widths/, /8,,16/, /such as/] },
  { name: 'repeated width', args: ['check', '--widths', '8,8'], mentions: [/--widths/, /8,8/, /remove the repeated value/] },
  { name: 'width range too large', args: ['check', '--widths', '2^3..2^40'], mentions: [/--widths/, /2\^40/, /2\^8\.\.2\^12/] },
  { name: 'width above the maximum', args: ['check', '--widths', '1e9'], mentions: [/--widths/, /1000000000/, /16777216/] },
  { name: 'zero seeds', args: ['check', '--seeds', '0'], mentions: [/--seeds/, /got 0/, /from 1/] },
  { name: 'negative first seed', args: ['check', '--first-seed', '-1'], mentions: [/--first-seed/, /-1/, /from 0/] },
  { name: 'zero eta', args: ['check', '--eta', '0'], mentions: [/--eta/, /got 0/, /greater than 0/] },
  { name: 'infinite eta', args: ['check', '--eta', 'Infinity'], mentions: [/--eta/, /Infinity/, /such as/] },
  { name: 'non-numeric eta', args: ['check', '--eta', 'fast'], mentions: [/--eta/, /"fast"/, /such as/] },
  { name: 'zero kappa', args: ['check', '--kappa', '0'], mentions: [/--kappa/, /got 0/, /greater than 0/] },
  { name: 'kappa too large', args: ['check', '--kappa', '1e80'], mentions: [/--kappa/, /1e\+80/, /from 1e-30 to 1e\+30/] },
  { name: 'weight bits above 8', args: ['check', '--quantizer', '9bit'], mentions: [/--quantizer/, /"9bit"/, /from 2 to 8/] },
  { name: 'zero sigma', args: ['check', '--sigma', '0'], mentions: [/--sigma/, /got 0/, /greater than 0/] },
  { name: 'zero steps', args: ['check', '--steps', '0'], mentions: [/--steps/, /got 0/, /from 1/] },
  { name: 'test fraction of 1', args: ['check', '--test-fraction', '1'], mentions: [/--test-fraction/, /got 1/, /such as 0\.2/] },
  { name: 'confidence below one half', args: ['check', '--confidence', '0.4'], mentions: [/--confidence/, /0\.4/, /such as 0\.95/] },
  { name: 'too few replicates', args: ['check', '--replicates', '10'], mentions: [/--replicates/, /got 10/, /from 100/] },
  { name: 'data size below 4', args: ['check', '--data-size', '2'], mentions: [/--data-size/, /got 2/, /at least 4/] },
  { name: 'data size above the data', args: ['check', ...TINY, '--data-size', '5000'], mentions: [/--data-size/, /5000/, /149/] },
  { name: 'unknown quantizer', args: ['check', '--quantizer', 'sign2'], mentions: [/--quantizer/, /"sign2"/, /use one of/] },
  { name: 'unknown sstar method', args: ['check', '--sstar', 'fast'], mentions: [/--sstar/, /'fast'/, /auto, exact, monte-carlo/] },
  { name: 'zero memory limit', args: ['check', '--memory-limit', '0'], mentions: [/--memory-limit/, /got 0/, /--memory-limit 4/] },
  { name: 'zero workers', args: ['check', '--workers', '0'], mentions: [/--workers/, /got 0/, /--workers 2/] },
  { name: 'unknown claim', args: ['check', 'K9'], mentions: [/claim/, /"K9"/, /known claims: K1/] },
  { name: 'unknown option', args: ['check', '--width', '8'], mentions: [/unknown option '--width'/, /bitbound check --help/] },
  { name: 'missing option value', args: ['check', '--widths'], mentions: [/--widths/, /missing/, /--help/] },
  { name: 'unknown command', args: ['chek'], mentions: [/unknown command 'chek'/, /bitbound --help/] },
  { name: 'shard number 0', args: ['check', '--shard', '0/3'], mentions: [/--shard/, /"0\/3"/, /numbered from 1/] },
  { name: 'shard number above k', args: ['check', '--shard', '4/3'], mentions: [/--shard/, /"4\/3"/, /from 1 to k = 3/] },
  { name: 'shard without k', args: ['check', '--shard', '2'], mentions: [/--shard/, /"2"/, /such as 2\/3/] },
  { name: 'shard with --json', args: ['check', '--shard', '1/2', '--json'], mentions: [/--json/, /bitbound merge/, /drop --json/] },
  { name: 'resume without checkpoint', args: ['check', '--resume', '--no-checkpoint'], mentions: [/--resume/, /checkpointing is off/, /--checkpoint PATH/] },
  { name: 'one width for slope claims', args: ['check', ...TINY, ...TINY_DATA, '--widths', '8'], mentions: [/--widths/, /A1, G1, S1/, /--widths 256,1024/] },
  { name: 'one seed for slope claims', args: ['check', ...TINY, ...TINY_DATA, '--seeds', '1'], mentions: [/--seeds/, /got 1/, /--seeds 2 or more/] },
  { name: 'test fraction leaving one example', args: ['check', ...TINY, ...TINY_DATA, '--test-fraction', '0.95'], mentions: [/--test-fraction/, /leaving 1 to train/, /lower --test-fraction/] },
  { name: 'exact Sstar at d = 30', args: ['check', ...TINY, '--dataset', 'synthetic:linear:d=30:n=12', '--sstar', 'exact'], mentions: [/d = 30/, /d <= 24/, /--sstar monte-carlo/] },
  { name: 'unknown synthetic target', args: ['check', ...TINY, '--dataset', 'synthetic:cosine'], mentions: [/dataset/, /"cosine"/, /synthetic:sine:d=8:n=64/] },
  { name: 'unknown data set name', args: ['check', ...TINY, '--dataset', 'mnist'], mentions: [/dataset/, /"mnist"/, /iris, cars, penguins/] },
  { name: 'kernel width 0', args: ['kernel', '--width', '0'], mentions: [/--width/, /got 0/, /from 1/] },
  { name: 'kernel negative seed', args: ['kernel', '--seed', '-1'], mentions: [/--seed/, /-1/, /from 0/] },
  { name: 'kernel unknown quantizer', args: ['kernel', '--quantizer', 'binary'], mentions: [/--quantizer/, /"binary"/, /use one of/] },
  { name: 'kernel exact Sstar at d = 30', args: ['kernel', '--dataset', 'synthetic:linear:d=30:n=12', '--sstar', 'exact', '--width', '8'], mentions: [/d = 30/, /--sstar monte-carlo/] },
  { name: 'kernel data size 0', args: ['kernel', '--data-size', '0'], mentions: [/--data-size/, /got 0/, /\[1, 149\]/] },
  { name: 'kernel too many inputs', args: ['kernel', '--dataset', 'synthetic:linear:d=3:n=20000', '--width', '8'], mentions: [/--data-size/, /20000/, /--data-size 5000 or fewer/] },
  { name: 'fit missing file argument', args: ['fit'], mentions: [/missing required argument 'file'/, /bitbound fit --help/] },
  { name: 'fit negative replicates', args: ['fit', 'runs.csv', '--replicates', '-1'], mentions: [/--replicates/, /-1/, /e\.g\. 1000/] },
  { name: 'fit unknown form', args: ['fit', 'runs.csv', '--form', 'cubic'], mentions: [/--form/, /"cubic"/, /pure, offset, two-term/] },
  { name: 'fit zero Huber delta', args: ['fit', 'runs.csv', '--huber-delta', '0'], mentions: [/--huber-delta/, /got 0/, /default/] },
  { name: 'merge without files', args: ['merge'], mentions: [/missing required argument 'shards'/, /bitbound merge --help/] },
];

/** Data files written into the temporary directory, by name. */
const DATA_FILES: Readonly<Record<string, string>> = {
  'empty.csv': '',
  'header-only.csv': 'x1,x2,y\n',
  'ragged.csv': 'x1,x2,y\n1,2,0.1\n3,4\n5,1,0.2\n',
  'more-columns.csv': 'x1,x2,y\n1,2,0.1,9\n3,4,0.2\n5,1,0.3\n',
  'non-numeric.csv': 'x1,x2,y\n1,2,0.1\n3,four,0.2\n5,1,0.3\n',
  'nan.csv': 'x1,x2,y\n1,2,0.1\n3,NaN,0.2\n5,1,0.3\n',
  'infinity.csv': 'x1,x2,y\n1,2,0.1\n3,Infinity,0.2\n5,1,0.3\n',
  'constant.csv': 'x1,x2,y\n1,7,0.1\n3,7,0.2\n5,7,0.3\n2,7,0.4\n',
  'duplicate.csv': 'x1,x2,y\n1,2,0.1\n3,4,0.2\n1,2,0.3\n5,1,0.4\n',
  // Columns with mean 0 and equal spread, so z-scoring keeps rows 2 and 3 (1,1) and (2,2+2e-7) at an angle of about 1e-7.
  'parallel.csv': 'x1,x2,y\n1,1,0.1\n2,2.0000002,0.2\n-1,-3,0.3\n-2,3,0.4\n3,-1,0.5\n-3,-2,0.6\n',
  'large-target.csv': 'x1,x2,y\n1,2,0.1\n3,4,3\n5,1,0.3\n',
  'bad.json': '{"rows": [',
  'runs.csv': 'N,loss\n1000,2.5\n2000,2.2\n4000,2.0\n',
  'data.csv': 'x1,x2,y\n1,2,0.1\n3,4,0.2\n5,1,0.3\n2,7,0.4\n4,1,0.2\n1,5,0.3\n6,2,0.5\n7,3,0.6\n',
};

const FILE_CASES: readonly InvalidCase[] = [
  { name: 'missing file', args: ['check', ...TINY, '--dataset', '{dir}/absent.csv'], mentions: [/absent\.csv/, /not found/, /check the path/] },
  { name: 'directory as file', args: ['check', ...TINY, '--dataset', '{dir}/folder.csv'], mentions: [/folder\.csv/, /not a regular file/, /pass the path of a \.csv/] },
  { name: '1 GiB sparse file', args: ['check', ...TINY, '--dataset', '{dir}/huge.csv'], mentions: [/huge\.csv/, /1073741824 bytes/, /split the file/] },
  { name: 'empty CSV', args: ['check', ...TINY, '--dataset', '{dir}/empty.csv'], mentions: [/empty\.csv/, /empty/, /header row/] },
  { name: 'header-only CSV', args: ['check', ...TINY, '--dataset', '{dir}/header-only.csv'], mentions: [/header-only\.csv/, /no data rows/, /add rows/] },
  { name: 'ragged CSV', args: ['check', ...TINY, '--dataset', '{dir}/ragged.csv'], mentions: [/ragged\.csv row 3/, /2 cells/, /one cell per header column/] },
  { name: 'more columns than the header', args: ['check', ...TINY, '--dataset', '{dir}/more-columns.csv'], mentions: [/more-columns\.csv row 2/, /4 cells/, /one cell per header column/] },
  { name: 'non-numeric cell', args: ['check', ...TINY, '--dataset', '{dir}/non-numeric.csv'], mentions: [/non-numeric\.csv row 3, column x2/, /"four"/, /decimal number/] },
  { name: 'NaN cell', args: ['check', ...TINY, '--dataset', '{dir}/nan.csv'], mentions: [/nan\.csv row 3, column x2/, /"NaN"/, /replace it or delete the row/] },
  { name: 'Infinity cell', args: ['check', ...TINY, '--dataset', '{dir}/infinity.csv'], mentions: [/infinity\.csv row 3, column x2/, /"Infinity"/, /replace it/] },
  { name: 'constant column', args: ['check', ...TINY, '--dataset', '{dir}/constant.csv'], mentions: [/constant\.csv column x2/, /every value is 7/, /remove the column/] },
  { name: 'duplicate rows', args: ['check', ...TINY, '--dataset', '{dir}/duplicate.csv'], mentions: [/duplicate\.csv row 2 and row 4/, /duplicates/, /remove one of the two rows/] },
  { name: 'parallel rows', args: ['check', ...TINY, '--dataset', '{dir}/parallel.csv'], mentions: [/parallel\.csv row 2 and row 3/, /parallel/, /remove one/] },
  { name: 'target above 1', args: ['check', ...TINY, '--dataset', '{dir}/large-target.csv'], mentions: [/large-target\.csv row 3, column y/, /target 3/, /rescale/] },
  { name: 'malformed JSON', args: ['check', ...TINY, '--dataset', '{dir}/bad.json'], mentions: [/bad\.json/, /not valid JSON/, /fix the syntax/] },
  { name: 'kernel 1 GiB sparse file', args: ['kernel', '--dataset', '{dir}/huge.csv'], mentions: [/huge\.csv/, /1073741824 bytes/, /split the file/] },
  { name: 'fit directory', args: ['fit', '{dir}/folder.csv'], mentions: [/folder\.csv/, /not a regular file/] },
  { name: 'fit 1 GiB sparse file', args: ['fit', '{dir}/huge.csv'], mentions: [/huge\.csv/, /1073741824 bytes/, /split the file/] },
  { name: 'report path under a file', args: ['check', ...TINY, ...TINY_DATA, '-o', '{dir}/runs.csv/report.json'], mentions: [/-o/, /runs\.csv\/report\.json/, /choose a writable path/] },
  { name: 'checkpoint path under a file', args: ['check', ...TINY, ...TINY_DATA, '--checkpoint', '{dir}/runs.csv/run.checkpoint'], mentions: [/runs\.csv\/run\.checkpoint/, /cannot be written/, /--no-checkpoint/] },
  { name: 'checkpoint at the report path', args: ['check', ...TINY, ...TINY_DATA, '-o', 'same.json', '--checkpoint', 'same.json'], mentions: [/--checkpoint same\.json is also the report path \(-o\)/, /choose another output path/] },
  { name: 'merge missing file', args: ['merge', '{dir}/absent.jsonl'], mentions: [/absent\.jsonl/, /not found/, /check the path/] },
  { name: 'merge a CSV file', args: ['merge', '{dir}/runs.csv'], mentions: [/runs\.csv line 1/, /not a bitbound checkpoint/, /written by bitbound check/] },
];

/** An invocation with a bad output path, and the files it must leave as they were. */
interface OutputPathCase extends InvalidCase {
  /** Files in the temporary directory whose bytes the run must not change. */
  readonly unchanged?: readonly string[];
  /** Files in the temporary directory the run must not create, e.g. the checkpoint of a run that started. */
  readonly absent?: readonly string[];
}

/**
 * Bad output paths. Each check run prints its work plan on stderr (--progress always) once
 * measurement is about to start, so the one-line assertion also shows that the path was
 * rejected before any work.
 */
const OUTPUT_PATH_CASES: readonly OutputPathCase[] = [
  {
    name: 'check report over the data set',
    args: ['check', ...TINY, '--progress', 'always', '--dataset', '{dir}/data.csv', '-o', '{dir}/data.csv'],
    mentions: [/^bitbound: error: -o \S*\/data\.csv is also the input data set; choose another output path$/],
    unchanged: ['data.csv'],
  },
  {
    name: 'check report over a data set link',
    args: ['check', ...TINY, '--progress', 'always', '--dataset', '{dir}/data.csv', '-o', '{dir}/data-link.csv'],
    mentions: [/-o \S*\/data-link\.csv is also the input data set \S*\/data\.csv;/, /choose another output path/],
    unchanged: ['data.csv'],
  },
  {
    name: 'check checkpoint over the data set',
    args: ['check', ...TINY, '--progress', 'always', '--dataset', '{dir}/data.csv', '--checkpoint', '{dir}/data.csv'],
    mentions: [/--checkpoint \S*\/data\.csv is also the input data set/, /choose another output path/],
    unchanged: ['data.csv'],
  },
  {
    name: 'check shard file over the data set',
    args: ['check', ...TINY_GRID, '--progress', 'always', '--dataset', '{dir}/data.csv', '--shard', '1/2', '-o', '{dir}/data.csv'],
    mentions: [/-o \S*\/data\.csv is also the input data set/, /choose another output path/],
    unchanged: ['data.csv'],
  },
  {
    name: 'check report at a directory',
    args: ['check', ...TINY_GRID, ...TINY_DATA, '--progress', 'always', '-o', '{dir}/folder.csv'],
    mentions: [/-o \S*\/folder\.csv is a directory/, /give a file path such as \S*\/folder\.csv\/report\.json/],
    absent: ['folder.csv.checkpoint'],
  },
  {
    name: 'check empty report path',
    args: ['check', ...TINY_GRID, ...TINY_DATA, '--progress', 'always', '-o', ''],
    mentions: [/-o "" is empty/, /give a file path such as report\.json/],
    absent: ['.checkpoint'],
  },
  {
    name: 'check checkpoint at a directory',
    args: ['check', ...TINY_GRID, ...TINY_DATA, '--progress', 'always', '--no-output', '--checkpoint', '{dir}/folder.csv'],
    mentions: [/--checkpoint \S*\/folder\.csv is a directory/, /give a file path such as/],
  },
  {
    name: 'check report path ending in a slash',
    args: ['check', ...TINY_GRID, ...TINY_DATA, '--progress', 'always', '-o', '{dir}/new-folder/'],
    mentions: [/-o \S*\/new-folder\/ ends with a slash/, /new-folder\/report\.json/],
    absent: ['new-folder', 'new-folder.checkpoint'],
  },
  {
    name: 'kernel output over the data set',
    args: ['kernel', '--dataset', '{dir}/data.csv', '--width', '8', '-o', '{dir}/data.csv'],
    mentions: [/^bitbound: error: -o \S*\/data\.csv is also the input data set; choose another output path$/],
    unchanged: ['data.csv'],
  },
  { name: 'kernel output at a directory', args: ['kernel', ...TINY_DATA, '--width', '8', '-o', '{dir}/folder.csv'], mentions: [/-o \S*\/folder\.csv is a directory/, /folder\.csv\/kernels\.json/] },
  { name: 'kernel empty output path', args: ['kernel', ...TINY_DATA, '--width', '8', '-o', ''], mentions: [/-o "" is empty/, /such as kernels\.json/] },
  {
    name: 'fit JSON over the input',
    args: ['fit', '{dir}/runs.csv', '--json', '{dir}/runs.csv'],
    mentions: [/--json \S*\/runs\.csv is also the input CSV file/, /choose another output path/],
    unchanged: ['runs.csv'],
  },
  { name: 'fit JSON at a directory', args: ['fit', '{dir}/runs.csv', '--json', '{dir}/folder.csv'], mentions: [/--json \S*\/folder\.csv is a directory/, /folder\.csv\/fit\.json/] },
  {
    name: 'merge report over a shard',
    args: ['merge', '{dir}/runs.csv', '-o', '{dir}/runs.csv'],
    mentions: [/-o \S*\/runs\.csv is also an input shard file/, /choose another output path/],
    unchanged: ['runs.csv'],
  },
  { name: 'merge report at a directory', args: ['merge', '{dir}/runs.csv', '-o', '{dir}/folder.csv'], mentions: [/-o \S*\/folder\.csv is a directory/, /folder\.csv\/report\.json/] },
  { name: 'claim file directory', args: ['claim', '{dir}/folder.csv'], mentions: [/claim file \S*\/folder\.csv is a directory/, /pass the path of a JSON claim file/] },
  { name: 'claim replay without instance', args: ['claim', '--expr', 'dev_max_H0 <= 1', '--replay', '0:99:99:99'], mentions: [/--replay/, /0:99:99:99/, /copy the argument exactly/] },
  { name: 'docs folder under a file', args: ['docs', '--out', '{dir}/runs.csv/site'], mentions: [/--out \S*\/runs\.csv\/site cannot be written/, /runs\.csv is a file/, /choose a writable path/] },
  {
    name: 'docs report inside the API folder',
    args: ['docs', '--api', '--report', '{dir}/site/api/report.json', '--out', '{dir}/site'],
    mentions: [/--report/, /site\/api\/report\.json is inside \S*\/site\/api/, /choose another --out folder/],
  },
];

/** Asserts the contract of a rejected invocation. */
function expectOneLineError(run: CliRun, mentions: readonly RegExp[]): void {
  expect(run.timedOut).toBe(false);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toMatch(STACK_TRACE_PATTERN);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^bitbound: error: /);
  for (const pattern of mentions) expect(lines[0]).toMatch(pattern);
}

describe('bitbound input validation', () => {
  let directory: string;

  beforeAll(() => {
    directory = makeTemporaryDirectory('validation');
    for (const [name, content] of Object.entries(DATA_FILES)) fs.writeFileSync(path.join(directory, name), content);
    fs.mkdirSync(path.join(directory, 'folder.csv'));
    // A sparse 1 GiB file: rejected by its size before any byte is read.
    const huge = path.join(directory, 'huge.csv');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, 2 ** 30);
    fs.symlinkSync('data.csv', path.join(directory, 'data-link.csv'));
  });

  afterAll(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  describe.concurrent('options', () => {
    for (const testCase of OPTION_CASES) {
      it(`rejects ${testCase.name}`, async () => {
        const run = await runCli(testCase.args, { cwd: directory });
        expectOneLineError(run, testCase.mentions);
      });
    }
  });

  describe.concurrent('data files', () => {
    for (const testCase of FILE_CASES) {
      it(`rejects ${testCase.name}`, async () => {
        const args = testCase.args.map((argument) => argument.replace('{dir}', directory));
        const run = await runCli(args, { cwd: directory });
        expectOneLineError(run, testCase.mentions);
      });
    }

    it('rejects an unreadable file', async () => {
      const file = path.join(directory, 'unreadable.csv');
      fs.writeFileSync(file, 'x1,x2,y\n1,2,0.1\n3,4,0.2\n5,1,0.3\n');
      fs.chmodSync(file, 0o000);
      // Root can read any file, so as root the program runs as the unprivileged user 65534 in a directory it may enter.
      const asRoot = process.getuid?.() === 0;
      if (asRoot) fs.chmodSync(directory, 0o755);
      const run = await runCli(['check', ...TINY, '--dataset', file], { cwd: directory, ...(asRoot ? { uid: NOBODY } : {}) });
      expectOneLineError(run, [/unreadable\.csv/, /permission denied/, /check its permissions/]);
    });
  });

  describe.concurrent('output paths', () => {
    for (const testCase of OUTPUT_PATH_CASES) {
      it(`rejects ${testCase.name}`, async () => {
        const before = new Map((testCase.unchanged ?? []).map((name) => [name, fs.readFileSync(path.join(directory, name))]));
        const args = testCase.args.map((argument) => argument.replace('{dir}', directory));
        const run = await runCli(args, { cwd: directory });
        expectOneLineError(run, testCase.mentions);
        for (const [name, bytes] of before) expect(fs.readFileSync(path.join(directory, name)), name).toEqual(bytes);
        for (const name of testCase.absent ?? []) expect(fs.existsSync(path.join(directory, name)), name).toBe(false);
      });
    }

    it('rejects merge report over the shards data set', async () => {
      const shardFile = path.join(directory, 'data-shard.jsonl');
      const shard = await runCli(['check', 'K1', ...TINY_GRID, '--dataset', 'data.csv', '--shard', '1/1', '-o', shardFile], { cwd: directory });
      expect(shard.stderr).toBe('');
      expect(shard.code).toBe(0);
      const data = fs.readFileSync(path.join(directory, 'data.csv'));
      const shardBytes = fs.readFileSync(shardFile);

      const run = await runCli(['merge', shardFile, '-o', 'data.csv'], { cwd: directory });
      expectOneLineError(run, [/^bitbound: error: -o data\.csv is also the data set the shards measured; choose another output path$/]);
      expect(fs.readFileSync(path.join(directory, 'data.csv'))).toEqual(data);
      expect(fs.readFileSync(shardFile)).toEqual(shardBytes);
    });
  });
});
