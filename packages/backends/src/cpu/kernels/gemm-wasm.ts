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
import { readFileSync } from "node:fs";
import { type GemmArgs, type GemmPlan, planGemm } from "./gemm-args.js";
import { Wasm, type WasmModule } from "./wasm-api.js";
import { Layout, PackedCache, PARAMS_ADDR, WasmHeap } from "./wasm-heap.js";
import { chunkRows, type ThreadJob, WasmThreadPool } from "./wasm-pool.js";

/** Micro-tile height of gemm.as; row chunks shared out to threads are aligned to it. */
const MR = 4;
/** Below this many multiply-adds a call runs on the calling thread only. */
const PARALLEL_MIN_MACS = 1 << 18;

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

let cachedModule: WasmModule | undefined;

/** The compiled gemm.wasm (compiled once per process). */
export function gemmModule(): WasmModule {
  cachedModule ??= new Wasm.Module(readFileSync(new URL("./gemm.wasm", import.meta.url)));
  return cachedModule;
}

interface Exports {
  sgemm_work_bytes(): number;
  sgemm_packed_b_bytes(n: number, k: number): number;
  sgemm_pack_b(params: number): void;
  sgemm_rows(params: number, r0: number, r1: number, work: number): void;
}

class WasmGemm implements GemmEngine {
  private readonly exports: Exports;
  private readonly cache = new PackedCache();

  constructor(
    private readonly heap: WasmHeap,
    private readonly pool: WasmThreadPool,
  ) {
    this.exports = pool.instance.exports as unknown as Exports;
  }

  get threads(): number {
    return this.pool.threads;
  }

  /** Copies operands in, packs B (unless cached), writes the parameter block. */
  private prepare(args: GemmArgs): { plan: GemmPlan; y: Float32Array; yAddr: number; threads: number } | Float32Array {
    const plan = planGemm(args);
    const y = args.y ?? new Float32Array(plan.yExtent);
    const { m, n, k, batch } = plan;
    if (batch * m * n === 0) return y;

    const threads = batch * m * n * k >= PARALLEL_MIN_MACS ? this.pool.threads : 1;
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
    this.work = Array.from({ length: this.pool.threads }, () => layout.alloc(workBytes));
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
    return { plan, y, yAddr, threads };
  }

  private work: number[] = [];

  private job(rows: number, threads: number): ThreadJob {
    return { fn: 0, params: PARAMS_ADDR, rows, chunk: chunkRows(rows, this.pool.threads, MR), work: this.work, callerOnly: threads === 1 };
  }

  private copyOut(plan: GemmPlan, y: Float32Array, yAddr: number): Float32Array {
    const { m, n, batch } = plan;
    const src = new Float32Array(this.heap.buffer, yAddr, batch * m * n);
    if (plan.yDense) {
      y.set(src, plan.yOff);
    } else {
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < m; i++) {
          const s = (b * m + i) * n;
          y.set(src.subarray(s, s + n), plan.yOff + b * plan.bsY + i * plan.ldy);
        }
      }
    }
    return y;
  }

  private running = false;

  private enter(): void {
    if (this.running) throw new Error("gemm: calls on one engine must not overlap (await gemmAsync first)");
    this.running = true;
  }

  gemm(args: GemmArgs): Float32Array {
    this.enter();
    try {
      const r = this.prepare(args);
      if (r instanceof Float32Array) return r;
      this.pool.runSync(this.job(r.plan.batch * r.plan.m, r.threads));
      return this.copyOut(r.plan, r.y, r.yAddr);
    } finally {
      this.running = false;
    }
  }

  async gemmAsync(args: GemmArgs): Promise<Float32Array> {
    this.enter();
    try {
      const r = this.prepare(args);
      if (r instanceof Float32Array) return r;
      await this.pool.runAsync(this.job(r.plan.batch * r.plan.m, r.threads));
      return this.copyOut(r.plan, r.y, r.yAddr);
    } finally {
      this.running = false;
    }
  }

  clearCache(): void {
    this.cache.clear();
  }

  close(): Promise<void> {
    this.cache.clear();
    return this.pool.close();
  }
}

/** A single-threaded engine, created synchronously (for the interpreter's sync path). */
export function createGemmSync(): GemmEngine {
  const heap = new WasmHeap();
  return new WasmGemm(heap, WasmThreadPool.single(gemmModule(), heap.memory, EXPORTS));
}

/** An engine on `threads` threads (the caller plus threads-1 workers). */
export async function createGemm(options: GemmOptions = {}): Promise<GemmEngine> {
  const threads = options.threads ?? 1;
  const heap = new WasmHeap();
  if (threads === 1) return new WasmGemm(heap, WasmThreadPool.single(gemmModule(), heap.memory, EXPORTS));
  return new WasmGemm(heap, await WasmThreadPool.create(gemmModule(), heap.memory, EXPORTS, threads));
}
