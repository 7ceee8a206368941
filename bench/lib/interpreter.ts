/**
 * The hook through which model benches run the quantpass cpu interpreter: ONNX file →
 * @quantpass/frontends loadOnnx → IR graph → @quantpass/backends CpuInterpreter.runSync.
 *
 * kernel "wasm": for the duration of each run, the interpreter's f32 GEMM entry point
 * (cpu/ops/gemm-dispatch.ts setMatmulF32Impl, used by MatMul, Gemm and Conv) is pointed at
 * the WebAssembly engine on `threads` threads (its gemm() is synchronous at any thread count).
 * kernel "default": the interpreter as it is configured, on the calling thread.
 *
 * When a piece is missing or cannot handle the model yet, the runner is reported as
 * unavailable with the reason (the bench prints "interpreter: not yet available"); no
 * number is ever made up for it.
 */
import type { Tensor } from "@quantpass/ir";
import type { GemmArgs } from "../../packages/backends/src/cpu/kernels/gemm-args.js";
import { createGemm, type GemmEngine } from "../../packages/backends/src/cpu/kernels/gemm-wasm.js";

export interface InterpreterRunner {
  run(feeds: Record<string, Tensor>): Record<string, Tensor>;
  close(): Promise<void>;
}

export type InterpreterLoad = { runner: InterpreterRunner } | { unavailable: string };

export interface InterpreterOptions {
  threads: number;
  kernel: "default" | "wasm";
}

type SetImpl = (f: (args: GemmArgs) => Float32Array) => (args: GemmArgs) => Float32Array;

export async function loadInterpreterRunner(modelPath: string, opts: InterpreterOptions): Promise<InterpreterLoad> {
  if (opts.kernel === "default" && opts.threads !== 1) return { unavailable: "the interpreter's default kernels run on the calling thread" };
  let backends: Record<string, unknown>;
  let frontends: Record<string, unknown>;
  try {
    backends = (await import("@quantpass/backends")) as Record<string, unknown>;
    frontends = (await import("@quantpass/frontends")) as Record<string, unknown>;
  } catch (e) {
    return { unavailable: `cannot import the interpreter packages: ${firstLine(e)}` };
  }
  const Interp = backends.CpuInterpreter as
    | (new () => { runSync(g: unknown, feeds: Record<string, Tensor>): Record<string, Tensor> })
    | undefined;
  const loadOnnx = frontends.loadOnnx as ((path: string) => unknown) | undefined;
  if (!Interp) return { unavailable: "@quantpass/backends exports no CpuInterpreter" };
  if (!loadOnnx) return { unavailable: "@quantpass/frontends exports no loadOnnx" };

  let setImpl: SetImpl | undefined;
  let engine: GemmEngine | undefined;
  if (opts.kernel === "wasm") {
    try {
      const dispatch = (await import("../../packages/backends/src/cpu/ops/gemm-dispatch.js")) as Record<string, unknown>;
      setImpl = dispatch.setMatmulF32Impl as SetImpl | undefined;
    } catch (e) {
      return { unavailable: `no GEMM dispatch point in the interpreter: ${firstLine(e)}` };
    }
    if (!setImpl) return { unavailable: "cpu/ops/gemm-dispatch.ts has no setMatmulF32Impl" };
    engine = await createGemm({ threads: opts.threads });
  }
  try {
    const graph = loadOnnx(modelPath);
    const interp = new Interp();
    const wasmGemm = engine ? (args: GemmArgs) => engine!.gemm(args) : undefined;
    return {
      runner: {
        run: (feeds) => {
          if (!setImpl || !wasmGemm) return interp.runSync(graph, feeds);
          const prev = setImpl(wasmGemm);
          try {
            return interp.runSync(graph, feeds);
          } finally {
            setImpl(prev);
          }
        },
        close: async () => {
          await engine?.close();
        },
      },
    };
  } catch (e) {
    await engine?.close();
    return { unavailable: `loading the model failed: ${firstLine(e)}` };
  }
}

export function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0]!.slice(0, 200);
}
