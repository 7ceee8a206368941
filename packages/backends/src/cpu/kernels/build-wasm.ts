/**
 * Compiles the AssemblyScript kernel sources (`*.as` beside this file) to `*.wasm`.
 *
 *   pnpm build:wasm          writes gemm.wasm, igemm.wasm next to their sources
 *
 * The .wasm files are committed; build-wasm.test.ts recompiles and checks they are
 * byte-identical to the committed ones, so a source edit without a rebuild fails the tests.
 * The compile is deterministic for a given assemblyscript version (pinned in the lockfile).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import { MAX_MEMORY_PAGES } from "./wasm-limits.js";

/** Kernel sources compiled by this script (base names; `<name>.as` → `<name>.wasm`). */
export const KERNEL_SOURCES = ["gemm", "igemm"] as const;
export type KernelName = (typeof KERNEL_SOURCES)[number];


const here = new URL("./", import.meta.url);

/** Compiles one kernel source to wasm bytes. */
export async function compileKernel(name: KernelName): Promise<Uint8Array> {
  const source = readFileSync(new URL(`${name}.as`, here), "utf8");
  const outputs = new Map<string, Uint8Array>();
  let log = "";
  const sink = { write: (s: string | Uint8Array) => ((log += String(s)), true) };
  const result = await asc.main(
    [
      `${name}.ts`,
      "--outFile", `${name}.wasm`,
      "--optimizeLevel", "3",
      "--shrinkLevel", "0",
      "--noAssert",
      "--runtime", "stub",
      "--use", "abort=",
      "--importMemory",
      "--sharedMemory",
      "--initialMemory", "1",
      "--maximumMemory", String(MAX_MEMORY_PAGES),
      "--enable", "simd,threads",
    ],
    {
      stdout: sink,
      stderr: sink,
      // asc asks for "<name>.ts"; the source lives in "<name>.as" (kept out of tsc's program).
      readFile: (file) => (file === `${name}.ts` ? source : null),
      writeFile: (file, contents) => {
        if (typeof contents !== "string") outputs.set(file, contents);
      },
      listFiles: () => [],
    },
  );
  if (result.error) throw new Error(`asc failed for ${name}.as: ${result.error.message}\n${log}`);
  const wasm = outputs.get(`${name}.wasm`);
  if (!wasm) throw new Error(`asc produced no ${name}.wasm\n${log}`);
  return wasm;
}

/** URL of the committed wasm for a kernel. */
export function wasmUrl(name: KernelName): URL {
  return new URL(`${name}.wasm`, here);
}

async function main(): Promise<void> {
  for (const name of KERNEL_SOURCES) {
    const bytes = await compileKernel(name);
    writeFileSync(wasmUrl(name), bytes);
    console.log(`${fileURLToPath(wasmUrl(name))}: ${bytes.length} bytes`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
