import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { compileWeightQuant, GENERATED, generatedSource } from "./build-wasm.js";

// Rebuilding weight-quant.as must reproduce the committed weight-quant-wasm.ts; if this
// fails, the source changed without a rebuild (or the assemblyscript version changed).
it("weight-quant-wasm.ts matches a rebuild of weight-quant.as", async () => {
  expect(readFileSync(GENERATED, "utf8")).toBe(generatedSource(await compileWeightQuant()));
}, 60_000);
