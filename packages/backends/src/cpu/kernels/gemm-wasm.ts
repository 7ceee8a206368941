/**
 * f32 GEMM in WebAssembly SIMD (source: gemm.as, built by `pnpm build:wasm`).
 *
 *   const g = createGemmSync();                 // 1 thread, synchronous, no workers
 *   const g2 = await createGemm({ threads: 2 }); // caller + 1 worker on a shared memory
 *   const y = g.gemm({ m, n, k, a, b, transB: true, c, beta: 1 });
 *   await g2.gemmAsync(args); g2.gemm(args);    // both paths exist for every thread count
 *   await g2.close();
 *
 * Each call copies the operands into the shared memory, packs B into NR-column panels once
 * (on the calling thread; with `cacheB` a weight is packed on first use only), then splits
 * the batch-flattened rows of Y into chunks that the threads claim as they go. Every
 * output element is computed by one thread with the summation order documented in gemm.as
 * and gemm-ref.ts, so the result is bit-identical to gemmRef and to itself at any thread
 * count. Calls on one engine must not overlap (gemmAsync callers await before the next call).
 */
import { type GemmArgs, planGemm } from "./gemm-args.js";
import { createEngine, createEngineSync, lazyModule, type Prepared, WasmGemmEngine } from "./wasm-engine.js";
import { Layout, PARAMS_ADDR, type WasmHeap } from "./wasm-heap.js";
import type { WasmThreadPool } from "./wasm-pool.js";

const EXPORTS = ["sgemm_rows"] as const;

export interface GemmEngine {
  readonly threads: number;
  /** Synchronous at any thread count (with workers, the caller blocks in Atomics.wait). */
  gemm(args: GemmArgs): Float32Array;
  /** The same computation; the caller's share of rows runs before the first await. */
  gemmAsync(args: GemmArgs): Promise<Float32Array>;
  /** Drops every packed B kept for `cacheB` calls. */
  clearCache(): void;
  /** Stops the workers (a no-op at 1 thread). */
  close(): Promise<void>;
}

export interface GemmOptions {
  /** Threads including the caller (default 1). */
  threads?: number;
}

/** The compiled gemm.wasm (compiled once per process). */
export const gemmModule = lazyModule("./gemm.wasm");

interface Exports {
  sgemm_work_bytes(): number;
  sgemm_packed_b_bytes(n: number, k: number): number;
  sgemm_pack_b(params: number): void;
  sgemm_rows(params: number, r0: number, r1: number, work: number): void;
}

class WasmGemm extends WasmGemmEngine<GemmArgs, Float32Array> implements GemmEngine {
  private readonly exports = this.pool.instance.exports as unknown as Exports;

  protected prepare(args: GemmArgs): Prepared<Float32Array> | Float32Array {
    const plan = planGemm(args);
    const y = args.y ?? new Float32Array(plan.yExtent);
    const { m, n, k, batch } = plan;
    if (batch * m * n === 0) return y;

    const threads = this.threadsFor(batch * m * n * k);
    const packedBytes = (plan.bsB === 0 ? 1 : batch) * this.exports.sgemm_packed_b_bytes(n, k);
    const cacheKey = args.cacheB ? `f32:${plan.bOff},${plan.rsB},${plan.csB},${plan.bsB},${k},${n},${plan.bsB === 0 ? 1 : batch}` : "";
    let bpAddr = args.cacheB ? this.cache.lookup(args.b, cacheKey) : undefined;
    const packB = bpAddr === undefined;
    const cacheNew = packB && args.cacheB ? this.cache.alloc(packedBytes) : undefined;

    const layout = new Layout(this.cache.end);
    const aAddr = layout.alloc(plan.aExtent * 4);
    const bAddr = packB ? layout.alloc(plan.bExtent * 4) : 0;
    const cAddr = layout.alloc(plan.cExtent * 4);
    const yAddr = layout.alloc(batch * m * n * 4);
    bpAddr ??= cacheNew ?? layout.alloc(packedBytes);
    const workBytes = this.exports.sgemm_work_bytes();
    const work = Array.from({ length: this.pool.threads }, () => layout.alloc(workBytes));
    this.heap.ensure(layout.end);

    const buf = this.heap.buffer;
    const f32 = new Float32Array(buf);
    if (plan.aExtent) f32.set(args.a.subarray(plan.aOff, plan.aOff + plan.aExtent), aAddr >> 2);
    if (packB && plan.bExtent) f32.set(args.b.subarray(plan.bOff, plan.bOff + plan.bExtent), bAddr >> 2);
    if (plan.cExtent) f32.set(args.c!.subarray(plan.cOff, plan.cOff + plan.cExtent), cAddr >> 2);

    const p = new Int32Array(buf, PARAMS_ADDR, 22);
    const pf = new Float32Array(buf, PARAMS_ADDR, 22);
    p.set([m, n, k, batch, aAddr, plan.rsA, plan.csA, plan.bsA, bAddr, plan.rsB, plan.csB, plan.bsB, bpAddr, yAddr, n, m * n]);
    p.set([cAddr, plan.rsC, plan.csC, plan.bsC], 16);
    pf[20] = plan.alpha;
    pf[21] = plan.beta;
    if (packB) {
      this.exports.sgemm_pack_b(PARAMS_ADDR);
      if (cacheNew !== undefined) this.cache.set(args.b, cacheKey, cacheNew);
    }
    return { plan, y, yAddr, threads, work };
  }

  gemm(args: GemmArgs): Float32Array {
    return this.run(args);
  }

  gemmAsync(args: GemmArgs): Promise<Float32Array> {
    return this.runAsync(args);
  }
}

const make = (heap: WasmHeap, pool: WasmThreadPool) => new WasmGemm(heap, pool, "gemm", Float32Array);

/** A single-threaded engine, created synchronously (for the interpreter's sync path). */
export function createGemmSync(): GemmEngine {
  return createEngineSync(gemmModule(), EXPORTS, make);
}

/** An engine on `threads` threads (the caller plus threads-1 workers). */
export function createGemm(options: GemmOptions = {}): Promise<GemmEngine> {
  return createEngine(gemmModule(), EXPORTS, options.threads ?? 1, make);
}
