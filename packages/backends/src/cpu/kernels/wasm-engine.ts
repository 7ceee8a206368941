/**
 * What the f32 GEMM (gemm-wasm.ts) and 8-bit GEMM (igemm-wasm.ts) engines share: the compiled
 * module (once per process), the heap and thread pool they are created on, one call at a time
 * (`enter`), the row job shared out to threads, the copy of Y out of the heap, the packed-B
 * cache and close. An engine supplies `prepare`: copy operands in, pack B (unless cached),
 * write the parameter block.
 */
import { readFileSync } from "node:fs";
import type { GemmPlan } from "./gemm-args.js";
import { Wasm, type WasmModule } from "./wasm-api.js";
import { PackedCache, PARAMS_ADDR, WasmHeap } from "./wasm-heap.js";
import { chunkRows, type ThreadJob, WasmThreadPool } from "./wasm-pool.js";

/** Micro-tile height of gemm.as and igemm.as; row chunks shared out to threads are aligned to it. */
const MR = 4;
/** Below this many multiply-adds a call runs on the calling thread only. */
export const PARALLEL_MIN_MACS = 1 << 18;

/** The wasm file beside this one, compiled on first call, once per process. */
export function lazyModule(file: string): () => WasmModule {
  let module: WasmModule | undefined;
  return () => (module ??= new Wasm.Module(readFileSync(new URL(file, import.meta.url))));
}

/** A call ready to run: Y is computed at yAddr, `work` holds each thread's scratch address. */
export interface Prepared<Y> {
  plan: GemmPlan;
  y: Y;
  yAddr: number;
  threads: number;
  work: number[];
}

type OutArray = Float32Array | Int32Array;

export abstract class WasmGemmEngine<Args, Y extends OutArray> {
  protected readonly cache = new PackedCache();
  private running = false;

  constructor(
    protected readonly heap: WasmHeap,
    protected readonly pool: WasmThreadPool,
    /** "gemm" or "igemm": names the engine in errors. */
    private readonly name: string,
    private readonly YArray: new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => Y,
  ) {}

  get threads(): number {
    return this.pool.threads;
  }

  /** Copies operands in, packs B (unless cached), writes the parameter block; Y itself when it is empty. */
  protected abstract prepare(args: Args): Prepared<Y> | Y;

  /** Threads that run a call of this many multiply-adds. */
  protected threadsFor(macs: number): number {
    return macs >= PARALLEL_MIN_MACS ? this.pool.threads : 1;
  }

  protected run(args: Args): Y {
    this.enter();
    try {
      const r = this.prepare(args);
      if (ArrayBuffer.isView(r)) return r;
      this.pool.runSync(this.job(r));
      return this.copyOut(r);
    } finally {
      this.running = false;
    }
  }

  protected async runAsync(args: Args): Promise<Y> {
    this.enter();
    try {
      const r = this.prepare(args);
      if (ArrayBuffer.isView(r)) return r;
      await this.pool.runAsync(this.job(r));
      return this.copyOut(r);
    } finally {
      this.running = false;
    }
  }

  private enter(): void {
    if (this.running) throw new Error(`${this.name}: calls on one engine must not overlap (await ${this.name}Async first)`);
    this.running = true;
  }

  private job(r: Prepared<Y>): ThreadJob {
    const rows = r.plan.batch * r.plan.m;
    return { fn: 0, params: PARAMS_ADDR, rows, chunk: chunkRows(rows, this.pool.threads, MR), work: r.work, callerOnly: r.threads === 1 };
  }

  private copyOut({ plan, y, yAddr }: Prepared<Y>): Y {
    const { m, n, batch } = plan;
    const src = new this.YArray(this.heap.buffer, yAddr, batch * m * n);
    const out = y as OutArray;
    if (plan.yDense) {
      out.set(src, plan.yOff);
    } else {
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < m; i++) {
          const s = (b * m + i) * n;
          out.set(src.subarray(s, s + n), plan.yOff + b * plan.bsY + i * plan.ldy);
        }
      }
    }
    return y;
  }

  clearCache(): void {
    this.cache.clear();
  }

  close(): Promise<void> {
    this.cache.clear();
    return this.pool.close();
  }
}

/** An engine on a fresh heap, running on the calling thread alone. */
export function createEngineSync<E>(module: WasmModule, exports: readonly string[], make: (heap: WasmHeap, pool: WasmThreadPool) => E): E {
  const heap = new WasmHeap();
  return make(heap, WasmThreadPool.single(module, heap.memory, exports));
}

/** An engine on a fresh heap and `threads` threads (the caller plus threads-1 workers). */
export async function createEngine<E>(module: WasmModule, exports: readonly string[], threads: number, make: (heap: WasmHeap, pool: WasmThreadPool) => E): Promise<E> {
  if (threads === 1) return createEngineSync(module, exports, make);
  const heap = new WasmHeap();
  return make(heap, await WasmThreadPool.create(module, heap.memory, exports, threads));
}
