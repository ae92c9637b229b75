#!/usr/bin/env node
/**
 * Entry point of the `bitbound` command. Builds the program from one file per command and
 * maps errors to exit codes: invalid usage or input, an exceeded resource limit, an
 * interrupted check and an internal error exit with 2 and a one-line message on stderr,
 * without a stack trace (set BITBOUND_DEBUG=1 to see one). Commands set 1 themselves when a
 * claim fails; no other exit code is used.
 */
import { Command, CommanderError } from 'commander';
import { InvalidInputError, NumericalError, ResourceLimitError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { prestartCheckWorkers } from '../check/prestart.js';

/**
 * Loaders of the commands, in help order. Each command module pulls in heavy dependencies
 * (mathjs, KaTeX, vega), so the program imports only the module of the command it runs and
 * loads all of them only for the top-level help or an unknown command.
 */
const COMMAND_LOADERS: Readonly<Record<string, () => Promise<Command>>> = {
  check: async () => (await import('./check.js')).createCheckCommand(),
  merge: async () => (await import('./merge.js')).createMergeCommand(),
  claim: async () => (await import('./claim.js')).createClaimCommand(),
  kernel: async () => (await import('./kernel.js')).createKernelCommand(),
  fit: async () => (await import('./fit.js')).createFitCommand(),
  docs: async () => (await import('./docs.js')).createDocsCommand(),
};

/** Builds the program with the requested command, or with every command when none is named. */
export async function createProgram(requested?: string): Promise<Command> {
  const program = new Command('bitbound')
    .description('symbolic-numeric theorem checker for the theory of scaling 1-bit neural networks')
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(oneLineUsageError(text, 'bitbound')) });
  const names = requested !== undefined && Object.hasOwn(COMMAND_LOADERS, requested) ? [requested] : Object.keys(COMMAND_LOADERS);
  const commands = await Promise.all(names.map((name) => COMMAND_LOADERS[name]()));
  for (const command of commands) {
    const name = `bitbound ${command.name()}`;
    program.addCommand(command.exitOverride().configureOutput({ outputError: (text, write) => write(oneLineUsageError(text, name)) }));
  }
  return program;
}

/**
 * Rewrites a commander usage error (`error: unknown option '--foo'`) as one line that names
 * the program and where to find the valid forms.
 */
function oneLineUsageError(text: string, command: string): string {
  const message = text.trim().replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
  return `bitbound: error: ${message}; run ${command} --help for usage\n`;
}

/** Runs the program on `argv` (without the node and script entries) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await (await createProgram(argv[0])).parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version output end with this error too, with exit code 0; commander already printed the message.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof InvalidInputError || error instanceof ResourceLimitError || error instanceof NumericalError) {
    process.stderr.write(`bitbound: error: ${oneLine(error.message)}\n`);
    return 2;
  }
  if (error instanceof Error && error.name === 'CheckInterruptedError') {
    process.stderr.write(`bitbound: ${oneLine(error.message)}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`bitbound: internal error: ${oneLine(message)} (set BITBOUND_DEBUG=1 for the stack trace)\n`);
  if (process.env.BITBOUND_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 2;
}

/** Joins the lines of a message, so every error stays on one line of stderr. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint || process.argv[1]?.endsWith('/bitbound')) {
  // An error thrown outside the command's promise (an event handler, a closed stdout pipe)
  // still ends with one line and exit status 2 instead of Node's stack trace and status 1.
  const exitOnStrayError = (error: unknown): void => {
    process.exit(reportError(error));
  };
  process.on('uncaughtException', exitOnStrayError);
  process.on('unhandledRejection', exitOnStrayError);
  // A check's worker threads load their modules while this thread loads the command.
  if (process.argv[2] === 'check') prestartCheckWorkers(process.argv.slice(3));
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
