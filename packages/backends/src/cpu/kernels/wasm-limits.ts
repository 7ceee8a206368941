/** Pages of the shared memory the kernels import (2 GiB maximum); baked into the .wasm by build-wasm.ts. */
export const MAX_MEMORY_PAGES = 32768;
