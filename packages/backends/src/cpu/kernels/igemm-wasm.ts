/**
 * 8-bit integer GEMM (int8/uint8 x int8/uint8 -> int32) in WebAssembly SIMD (source:
 * igemm.as). Exact: bit-identical to igemmRef at any thread count. Same engine shape as
 * gemm-wasm.ts: createIGemmSync() for one thread, createIGemm({ threads }) for more.
 */
import { type IGemmArgs, planGemm } from "./gemm-args.js";
import { createEngine, createEngineSync, lazyModule, type Prepared, WasmGemmEngine } from "./wasm-engine.js";
import { Layout, PARAMS_ADDR, type WasmHeap } from "./wasm-heap.js";
import type { WasmThreadPool } from "./wasm-pool.js";

const EXPORTS = ["igemm_rows"] as const;

export interface IGemmEngine {
  readonly threads: number;
  igemm(args: IGemmArgs): Int32Array;
  igemmAsync(args: IGemmArgs): Promise<Int32Array>;
  /** Drops every packed B kept for `cacheB` calls. */
  clearCache(): void;
  close(): Promise<void>;
}

/** The compiled igemm.wasm (compiled once per process). */
export const igemmModule = lazyModule("./igemm.wasm");

interface Exports {
  igemm_work_bytes(): number;
  igemm_packed_b_bytes(n: number, k: number): number;
  igemm_pack_b(params: number): void;
}

function bytesOf(x: Int8Array | Uint8Array, off: number, len: number): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset + off, len);
}

class WasmIGemm extends WasmGemmEngine<IGemmArgs, Int32Array> implements IGemmEngine {
  private readonly exports = this.pool.instance.exports as unknown as Exports;

  protected prepare(args: IGemmArgs): Prepared<Int32Array> | Int32Array {
    const plan = planGemm(args);
    const y = args.y ?? new Int32Array(plan.yExtent);
    const { m, n, k, batch } = plan;
    if (batch * m * n === 0) return y;
    const flags = (args.a instanceof Uint8Array ? 1 : 0) | (args.b instanceof Uint8Array ? 2 : 0);
    const packedBytes = (plan.bsB === 0 ? 1 : batch) * this.exports.igemm_packed_b_bytes(n, k);
    const cacheKey = args.cacheB ? `i8:${flags},${plan.bOff},${plan.rsB},${plan.csB},${plan.bsB},${k},${n},${plan.bsB === 0 ? 1 : batch}` : "";
    let bpAddr = args.cacheB ? this.cache.lookup(args.b, cacheKey) : undefined;
    const packB = bpAddr === undefined;
    const cacheNew = packB && args.cacheB ? this.cache.alloc(packedBytes) : undefined;

    const layout = new Layout(this.cache.end);
    const aAddr = layout.alloc(plan.aExtent);
    const bAddr = packB ? layout.alloc(plan.bExtent) : 0;
    const yAddr = layout.alloc(batch * m * n * 4);
    bpAddr ??= cacheNew ?? layout.alloc(packedBytes);
    const workBytes = this.exports.igemm_work_bytes();
    const work = Array.from({ length: this.pool.threads }, () => layout.alloc(workBytes));
    this.heap.ensure(layout.end);
    const u8 = new Uint8Array(this.heap.buffer);
    if (plan.aExtent) u8.set(bytesOf(args.a, plan.aOff, plan.aExtent), aAddr);
    if (packB && plan.bExtent) u8.set(bytesOf(args.b, plan.bOff, plan.bExtent), bAddr);
    new Int32Array(this.heap.buffer, PARAMS_ADDR, 17).set([
      m, n, k, batch, aAddr, plan.rsA, plan.csA, plan.bsA, bAddr, plan.rsB, plan.csB, plan.bsB, bpAddr, yAddr, n, m * n, flags,
    ]);
    if (packB) {
      this.exports.igemm_pack_b(PARAMS_ADDR);
      if (cacheNew !== undefined) this.cache.set(args.b, cacheKey, cacheNew);
    }
    const threads = this.threadsFor(batch * m * n * k);
    return { plan, y, yAddr, threads, work };
  }

  igemm(args: IGemmArgs): Int32Array {
    return this.run(args);
  }

  igemmAsync(args: IGemmArgs): Promise<Int32Array> {
    return this.runAsync(args);
  }
}

const make = (heap: WasmHeap, pool: WasmThreadPool) => new WasmIGemm(heap, pool, "igemm", Int32Array);

/** A single-threaded engine, created synchronously. */
export function createIGemmSync(): IGemmEngine {
  return createEngineSync(igemmModule(), EXPORTS, make);
}

/** An engine on `threads` threads (the caller plus threads-1 workers). */
export function createIGemm(options: { threads?: number } = {}): Promise<IGemmEngine> {
  return createEngine(igemmModule(), EXPORTS, options.threads ?? 1, make);
}
