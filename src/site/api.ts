/**
 * API documentation of the library, generated from the TypeScript source by TypeDoc into
 * `<out>/api/`. The settings live in `typedoc.json` at the repository root (entry point
 * `src/index.ts`). TypeDoc and the source are only in a checkout of the repository, not in
 * the installed package, so this step needs to run from the repository root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../errors.js';

/** Name of the TypeDoc settings file at the repository root. */
export const TYPEDOC_CONFIG = 'typedoc.json';

/**
 * Generates the API docs into `apiDir` with TypeDoc's Node API
 * (`Application.bootstrapWithPlugins`, then `convert` and `generateDocs`), reading
 * `typedoc.json` in `projectRoot`. TypeDoc prints its own warnings (for example a type that
 * the public API uses but does not export).
 * Throws InvalidInputError (field `--api`) when `typedoc.json` or the typedoc package is
 * missing, and when TypeDoc cannot convert the project. Cost: a full TypeScript program
 * build, about 10 s for this repository on two cores.
 */
export async function generateApiDocs(apiDir: string, projectRoot: string): Promise<void> {
  const configPath = path.resolve(projectRoot, TYPEDOC_CONFIG);
  if (!fs.existsSync(configPath)) {
    throw new InvalidInputError('--api', configPath, `${configPath} not found; --api needs the bitbound source tree, so run \`bitbound docs --api\` from the root of the repository`);
  }
  let typedoc: typeof import('typedoc');
  try {
    typedoc = await import('typedoc');
  } catch (error) {
    throw new InvalidInputError('--api', 'typedoc', `the typedoc package could not be loaded (${error instanceof Error ? error.message : String(error)}); run \`npm ci\` in the repository first`);
  }

  const application = await typedoc.Application.bootstrapWithPlugins({ options: configPath, out: apiDir }, [new typedoc.TypeDocReader(), new typedoc.TSConfigReader()]);
  const project = await application.convert();
  if (project === undefined) {
    throw new InvalidInputError('--api', configPath, 'TypeDoc could not convert the project (its errors are printed above); fix them or run `bitbound docs` without --api');
  }
  await application.generateDocs(project, apiDir);
}
