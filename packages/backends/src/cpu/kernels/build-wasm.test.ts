import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileKernel, KERNEL_SOURCES, wasmUrl } from "./build-wasm.js";

describe("committed wasm", () => {
  // Rebuilding from the .as sources must reproduce the committed bytes; if this fails, the
  // source changed without `pnpm build:wasm` (or the assemblyscript version changed).
  it.each(KERNEL_SOURCES)("%s.wasm matches a rebuild of its .as source", async (name) => {
    const built = await compileKernel(name);
    const committed = new Uint8Array(readFileSync(wasmUrl(name)));
    expect(Buffer.from(built).equals(Buffer.from(committed))).toBe(true);
  });
});
