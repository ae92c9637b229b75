/**
 * Progress on stderr. On a terminal it redraws one status line; elsewhere it stays silent
 * unless asked, and then prints one line per phase and per tenth of the phase, so logs of
 * batch jobs stay short.
 */
import type { ProgressSink } from '../check/runner.js';

/** Creates a progress sink writing to `stream`; `mode` chooses terminal redraws, plain lines, or nothing. */
export function createProgress(stream: NodeJS.WriteStream, mode: 'auto' | 'always' | 'never'): ProgressSink {
  const interactive = stream.isTTY === true;
  if (mode === 'never' || (mode === 'auto' && !interactive)) return { phase() {}, advance() {} };

  const start = Date.now();
  let phaseName = '';
  let total = 0;
  let done = 0;
  const elapsed = (): string => `${((Date.now() - start) / 1000).toFixed(1)} s`;
  return {
    phase(name, count) {
      if (interactive && phaseName !== '') stream.write('\n');
      phaseName = name;
      total = count;
      done = 0;
      if (!interactive) stream.write(`[${elapsed()}] ${name}: ${count} steps\n`);
    },
    advance(detail) {
      done++;
      if (interactive) {
        stream.write(`\r\x1b[K[${elapsed()}] ${phaseName} ${done}/${total}: ${detail}`);
        if (done === total) stream.write('\n');
        phaseName = done === total ? '' : phaseName;
        return;
      }
      const tenth = Math.max(1, Math.floor(total / 10));
      if (done % tenth === 0 || done === total) stream.write(`[${elapsed()}] ${phaseName} ${done}/${total}: ${detail}\n`);
    },
  };
}
