/**
 * 8-bit integer GEMM (int8/uint8 x int8/uint8 -> int32) in WebAssembly SIMD (source:
 * igemm.as). Exact: bit-identical to igemmRef at any thread count. Same engine shape as
 * gemm-wasm.ts: createIGemmSync() for one thread, createIGemm({ threads }) for more.
 */
import { readFileSync } from "node:fs";
import { type GemmPlan, type IGemmArgs, planGemm } from "./gemm-args.js";
import { Wasm, type WasmModule } from "./wasm-api.js";
import { Layout, PackedCache, PARAMS_ADDR, WasmHeap } from "./wasm-heap.js";
import { chunkRows, type ThreadJob, WasmThreadPool } from "./wasm-pool.js";

const MR = 4;
const PARALLEL_MIN_MACS = 1 << 18;
const EXPORTS = ["igemm_rows"] as const;

export interface IGemmEngine {
  readonly threads: number;
  igemm(args: IGemmArgs): Int32Array;
  igemmAsync(args: IGemmArgs): Promise<Int32Array>;
  /** Drops every packed B kept for `cacheB` calls. */
  clearCache(): void;
  close(): Promise<void>;
}

let cachedModule: WasmModule | undefined;

/** The compiled igemm.wasm (compiled once per process). */
export function igemmModule(): WasmModule {
  cachedModule ??= new Wasm.Module(readFileSync(new URL("./igemm.wasm", import.meta.url)));
  return cachedModule;
}

interface Exports {
  igemm_work_bytes(): number;
  igemm_packed_b_bytes(n: number, k: number): number;
  igemm_pack_b(params: number): void;
}

function bytesOf(x: Int8Array | Uint8Array, off: number, len: number): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset + off, len);
}

interface Prepared {
  plan: GemmPlan;
  y: Int32Array;
  yAddr: number;
  threads: number;
  work: number[];
}

class WasmIGemm implements IGemmEngine {
  private readonly exports: Exports;
  private running = false;
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

  private prepare(args: IGemmArgs): Prepared | Int32Array {
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
    const threads = batch * m * n * k >= PARALLEL_MIN_MACS ? this.pool.threads : 1;
    return { plan, y, yAddr, threads, work };
  }

  private job(r: Prepared): ThreadJob {
    const rows = r.plan.batch * r.plan.m;
    return { fn: 0, params: PARAMS_ADDR, rows, chunk: chunkRows(rows, this.pool.threads, MR), work: r.work, callerOnly: r.threads === 1 };
  }

  private copyOut({ plan, y, yAddr }: Prepared): Int32Array {
    const { m, n, batch } = plan;
    const src = new Int32Array(this.heap.buffer, yAddr, batch * m * n);
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

  private enter(): void {
    if (this.running) throw new Error("igemm: calls on one engine must not overlap (await igemmAsync first)");
    this.running = true;
  }

  igemm(args: IGemmArgs): Int32Array {
    this.enter();
    try {
      const r = this.prepare(args);
      if (r instanceof Int32Array) return r;
      this.pool.runSync(this.job(r));
      return this.copyOut(r);
    } finally {
      this.running = false;
    }
  }

  async igemmAsync(args: IGemmArgs): Promise<Int32Array> {
    this.enter();
    try {
      const r = this.prepare(args);
      if (r instanceof Int32Array) return r;
      await this.pool.runAsync(this.job(r));
      return this.copyOut(r);
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

/** A single-threaded engine, created synchronously. */
export function createIGemmSync(): IGemmEngine {
  const heap = new WasmHeap();
  return new WasmIGemm(heap, WasmThreadPool.single(igemmModule(), heap.memory, EXPORTS));
}

/** An engine on `threads` threads (the caller plus threads-1 workers). */
export async function createIGemm(options: { threads?: number } = {}): Promise<IGemmEngine> {
  const threads = options.threads ?? 1;
  const heap = new WasmHeap();
  if (threads === 1) return createIGemmSync();
  return new WasmIGemm(heap, await WasmThreadPool.create(igemmModule(), heap.memory, EXPORTS, threads));
}
