import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

// @ts-expect-error The build script is plain JavaScript without type declarations.
import { compileKernels, renderBinaryModule } from '../../src/linalg/wasm/build.mjs';

describe('WebAssembly kernels binary', () => {
  it('is the compilation of kernels.as', async () => {
    const binary = (await compileKernels()) as Uint8Array;
    const committed = readFileSync(fileURLToPath(new URL('../../src/linalg/wasm/kernelsBinary.ts', import.meta.url)), 'utf8');
    // A mismatch means kernels.as changed without `node src/linalg/wasm/build.mjs`.
    expect(committed).toBe(renderBinaryModule(binary));
  }, 60_000);
});
