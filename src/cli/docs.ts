/**
 * `bitbound docs`: writes the theorem pages of a check report as a static site: an index
 * with the claims' dependency graph and verdicts, and one page per claim with its statement,
 * symbols, evidence and figures. With `--api` it also generates the API docs with TypeDoc.
 * Exit status 0 on success, 2 for invalid usage or input (a missing or malformed report).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { InvalidInputError } from '../errors.js';
import { generateApiDocs } from '../site/api.js';
import { buildSite } from '../site/build.js';
import { readReportFile } from '../site/report-file.js';
import { DEFAULT_REPORT_PATH } from './check.js';
import { checkOutputDirectory, displayPath, isInsideDirectory, isSameFile } from './paths.js';

/** Default output folder of the site. */
export const DEFAULT_SITE_DIR = 'site';

/** Builds the `docs` command. */
export function createDocsCommand(): Command {
  return new Command('docs')
    .description('write static theorem pages (math, figures, verdicts) for a check report; open <out>/index.html in a browser')
    .option('--report <path>', 'JSON report written by `bitbound check`', DEFAULT_REPORT_PATH)
    .option('--out <dir>', 'folder to write the site into', DEFAULT_SITE_DIR)
    .option('--api', 'also generate the API docs with TypeDoc into <out>/api (run from the repository root; takes about 10 s)')
    .action(async function (this: Command) {
      const flags = this.opts<{ report: string; out: string; api?: boolean }>();
      const api = flags.api === true;
      const outDir = checkOutDir(flags.out);
      checkReportOutsideSite(flags.report, outDir, api);
      const { report, modified } = readReportFile(flags.report);

      if (api) {
        process.stderr.write('bitbound docs: generating API docs with TypeDoc\n');
        await generateApiDocs(path.join(outDir, 'api'), process.cwd());
      }
      const result = await buildSite(report, { outDir, reportPath: flags.report, reportModified: modified, apiDocs: api || fs.existsSync(path.join(outDir, 'api', 'index.html')) });
      for (const warning of result.warnings) process.stderr.write(`bitbound docs: warning: ${warning}\n`);
      process.stdout.write(
        `wrote ${result.pages.length} pages with ${result.figures} figures to ${outDir}${api ? ' and API docs to ' + path.join(outDir, 'api') : ''}; open ${path.join(outDir, 'index.html')}\n`,
      );
    });
}

/**
 * Rejects an output folder that would mix the site into the working directory or a
 * filesystem root, that is a file, or that lies below a file. Returns the folder as given.
 */
function checkOutDir(outDir: string): string {
  const resolved = path.resolve(outDir);
  if (resolved === process.cwd() || resolved === path.parse(resolved).root) {
    throw new InvalidInputError('--out', outDir, `must name a folder of its own for the site, not ${resolved}; use e.g. --out site`);
  }
  checkOutputDirectory('--out', outDir, DEFAULT_SITE_DIR);
  return outDir;
}

/**
 * Rejects a report that the site would overwrite or delete. That is `index.html`,
 * `claim-*.html` or anything under `assets` in the output folder. With --api it is also
 * anything under `api`, which TypeDoc 0.28 deletes before it writes, because its option
 * cleanOutputDir is on by default and typedoc.json keeps it.
 */
function checkReportOutsideSite(reportPath: string, outDir: string, api: boolean): void {
  const pageNames = /^(index|claim-.*)\.html$/;
  const isPage = isSameFile(path.dirname(reportPath), outDir) && pageNames.test(path.basename(reportPath));
  const folders = api ? ['assets', 'api'] : ['assets'];
  const folder = folders.find((name) => isInsideDirectory(reportPath, path.join(outDir, name)));
  if (!isPage && folder === undefined) return;
  const where = folder === undefined ? `a page of the site in --out ${displayPath(outDir)}` : `inside ${path.join(outDir, folder)}, which bitbound docs replaces`;
  throw new InvalidInputError('--report', reportPath, `${displayPath(reportPath)} is ${where}; move the report or choose another --out folder`);
}
