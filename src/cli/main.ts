#!/usr/bin/env node
/**
 * Entry point of the `bitbound` command. Builds the program from one file per command and
 * maps errors to exit codes: invalid usage or input exits with 2 and a one-line message on
 * stderr, without a stack trace (set BITBOUND_DEBUG=1 to see one).
 */
import { Command, CommanderError } from 'commander';
import { InvalidInputError, NumericalError, ResourceLimitError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { createCheckCommand } from './check.js';
import { createFitCommand } from './fit.js';
import { createKernelCommand } from './kernel.js';

/** Builds the program with every command. */
export function createProgram(): Command {
  const program = new Command('bitbound')
    .description('symbolic-numeric theorem checker for the theory of scaling 1-bit neural networks')
    .version(TOOL_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const command of [createCheckCommand(), createKernelCommand(), createFitCommand()]) {
    program.addCommand(command.exitOverride());
  }
  return program;
}

/** Runs the program on `argv` (without the node and script entries) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync([...argv], { from: 'user' });
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
    process.stderr.write(`bitbound: error: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`bitbound: internal error: ${message} (set BITBOUND_DEBUG=1 for the stack trace)\n`);
  if (process.env.BITBOUND_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 2;
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint || process.argv[1]?.endsWith('/bitbound')) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
