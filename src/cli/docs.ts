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
      const outDir = checkOutDir(flags.out);
      const { report, modified } = readReportFile(flags.report);

      const api = flags.api === true;
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
 * filesystem root, or that is a file. Returns the folder as given.
 */
function checkOutDir(outDir: string): string {
  const resolved = path.resolve(outDir);
  if (resolved === process.cwd() || resolved === path.parse(resolved).root) {
    throw new InvalidInputError('--out', outDir, `must name a folder of its own for the site, not ${resolved}; use e.g. --out site`);
  }
  if (fs.existsSync(resolved) && !fs.statSync(resolved).isDirectory()) {
    throw new InvalidInputError('--out', outDir, `${resolved} is a file; name a folder for the site, e.g. --out site`);
  }
  return outDir;
}
