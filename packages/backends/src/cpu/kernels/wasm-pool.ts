/**
 * Runs a WebAssembly kernel on 1..T threads over one shared WebAssembly.Memory.
 *
 * The calling thread is thread 0; threads 1..T-1 are worker_threads that instantiate the same
 * module on the same memory and sleep in Atomics.wait on a small control block. A job is
 * "call export `fn`(params, r0, r1, work) for each thread's row range". The caller's share
 * runs synchronously; `runSync` then blocks in Atomics.wait until the workers are done (Node
 * allows that on the main thread), `runAsync` awaits Atomics.waitAsync instead.
 *
 * Workers are unref'd, so an unclosed pool never keeps a process alive; close() stops them.
 */
import { Worker } from "node:worker_threads";
import { atomicsWaitAsync, Wasm, type WasmInstance, type WasmMemory, type WasmModule } from "./wasm-api.js";

/** Control block slots (Int32Array indices), one block per worker. */
const SEQ = 0; // job sequence number, bumped by the caller to start a job
const DONE = 1; // last job sequence number the worker finished
const FN = 2; // index into the export name table, -1 = quit
const PARAMS = 3;
const R0 = 4;
const R1 = 5;
const WORK = 6;
const STATUS = 7; // 0 ok, 1 the kernel threw
const MSG_LEN = 8; // bytes of the error message in the message buffer
const SLOTS = 9;
/** Bytes of the per-worker buffer an error message is written to (readable while the caller blocks). */
const MSG_BYTES = 2048;

/** Worker body (CommonJS, evaluated from a string so it needs no TypeScript loader). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, control, message, exportNames } = workerData;
const ctl = new Int32Array(control);
const msg = new Uint8Array(message);
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = exportNames.map((name) => inst.exports[name]);
parentPort.postMessage({ ready: true });
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  const f = ctl[${FN}];
  if (f < 0) break;
  try {
    fns[f](ctl[${PARAMS}], ctl[${R0}], ctl[${R1}], ctl[${WORK}]);
    ctl[${STATUS}] = 0;
  } catch (e) {
    const bytes = new TextEncoder().encode(String((e && e.stack) || e)).subarray(0, ${MSG_BYTES});
    msg.set(bytes);
    ctl[${MSG_LEN}] = bytes.length;
    ctl[${STATUS}] = 1;
  }
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
`;

type Kernel = (params: number, r0: number, r1: number, work: number) => void;

export interface ThreadJob {
  /** Index into the pool's export names. */
  fn: number;
  params: number;
  /** ranges[t] = [r0, r1) for thread t; work[t] = that thread's workspace address. */
  ranges: ReadonlyArray<readonly [number, number]>;
  work: readonly number[];
}

interface WorkerSlot {
  worker: Worker;
  ctl: Int32Array;
  msg: Uint8Array;
  seq: number;
}

export class WasmThreadPool {
  readonly threads: number;
  readonly instance: WasmInstance;
  private readonly fns: Kernel[];
  private readonly workers: WorkerSlot[];
  private busy = false;
  private closed = false;

  private constructor(threads: number, instance: WasmInstance, fns: Kernel[], workers: WorkerSlot[]) {
    this.threads = threads;
    this.instance = instance;
    this.fns = fns;
    this.workers = workers;
  }

  /** A pool without workers (threads = 1); usable synchronously. */
  static single(module: WasmModule, memory: WasmMemory, exportNames: readonly string[]): WasmThreadPool {
    const instance = new Wasm.Instance(module, { env: { memory } });
    return new WasmThreadPool(1, instance, kernels(instance, exportNames), []);
  }

  static async create(
    module: WasmModule,
    memory: WasmMemory,
    exportNames: readonly string[],
    threads: number,
  ): Promise<WasmThreadPool> {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    const instance = new Wasm.Instance(module, { env: { memory } });
    const slots = await Promise.all(
      Array.from({ length: threads - 1 }, async (): Promise<WorkerSlot> => {
        const control = new SharedArrayBuffer(SLOTS * 4);
        const message = new SharedArrayBuffer(MSG_BYTES);
        const worker = new Worker(WORKER_SOURCE, {
          eval: true,
          workerData: { module, memory, control, message, exportNames: [...exportNames] },
        });
        const slot: WorkerSlot = { worker, ctl: new Int32Array(control), msg: new Uint8Array(message), seq: 0 };
        await new Promise<void>((resolve, reject) => {
          const onMessage = (msg: { ready?: boolean }) => {
            if (msg.ready) {
              worker.off("error", reject);
              resolve();
            }
          };
          worker.once("message", onMessage);
          worker.once("error", reject);
        });
        worker.unref();
        return slot;
      }),
    );
    return new WasmThreadPool(threads, instance, kernels(instance, exportNames), slots);
  }

  private start(job: ThreadJob): void {
    if (this.closed) throw new Error("WasmThreadPool: closed");
    if (this.busy) throw new Error("WasmThreadPool: a job is already running (calls must not overlap)");
    if (job.ranges.length !== this.threads) throw new Error("WasmThreadPool: one range per thread expected");
    this.busy = true;
    this.workers.forEach((w, i) => {
      w.ctl[STATUS] = 0;
      const [r0, r1] = job.ranges[i + 1]!;
      w.ctl[FN] = job.fn;
      w.ctl[PARAMS] = job.params;
      w.ctl[R0] = r0;
      w.ctl[R1] = r1;
      w.ctl[WORK] = job.work[i + 1]!;
      w.seq += 1;
      Atomics.store(w.ctl, SEQ, w.seq);
      Atomics.notify(w.ctl, SEQ);
    });
  }

  /** Keeps the event loop alive while runAsync waits (Atomics.waitAsync alone does not). */
  private refWorkers(on: boolean): void {
    for (const w of this.workers) {
      if (on) w.worker.ref();
      else w.worker.unref();
    }
  }

  private runOwnShare(job: ThreadJob): void {
    const [r0, r1] = job.ranges[0]!;
    if (r1 > r0) this.fns[job.fn]!(job.params, r0, r1, job.work[0]!);
  }

  private finish(): void {
    this.busy = false;
    for (const w of this.workers) {
      if (w.ctl[STATUS] !== 0) {
        w.ctl[STATUS] = 0;
        const text = new TextDecoder().decode(w.msg.slice(0, w.ctl[MSG_LEN]));
        throw new Error(`WasmThreadPool: kernel failed in a worker: ${text}`);
      }
    }
  }

  /** Runs the job on all threads; blocks until every thread is done. */
  runSync(job: ThreadJob): void {
    this.start(job);
    try {
      this.runOwnShare(job);
    } finally {
      for (const w of this.workers) {
        while (Atomics.load(w.ctl, DONE) !== w.seq) Atomics.wait(w.ctl, DONE, Atomics.load(w.ctl, DONE), 1000);
      }
      this.busy = false;
    }
    this.finish();
  }

  /** Runs the job; the caller's share runs before the first await. */
  async runAsync(job: ThreadJob): Promise<void> {
    this.start(job);
    this.refWorkers(true);
    try {
      this.runOwnShare(job);
    } finally {
      for (const w of this.workers) {
        for (;;) {
          const done = Atomics.load(w.ctl, DONE);
          if (done === w.seq) break;
          const res = atomicsWaitAsync(w.ctl, DONE, done, 1000);
          if (res.async) await res.value;
        }
      }
      this.refWorkers(false);
      this.busy = false;
    }
    this.finish();
  }

  /** Stops the workers; the pool cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.workers.map(async (w) => {
        const exited = new Promise<void>((resolve) => w.worker.once("exit", () => resolve()));
        w.ctl[FN] = -1;
        w.seq += 1;
        Atomics.store(w.ctl, SEQ, w.seq);
        Atomics.notify(w.ctl, SEQ);
        const timer = setTimeout(() => void w.worker.terminate(), 2000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

function kernels(instance: WasmInstance, names: readonly string[]): Kernel[] {
  return names.map((name) => {
    const f = instance.exports[name];
    if (typeof f !== "function") throw new Error(`wasm module has no export ${name}`);
    return f as Kernel;
  });
}

/**
 * Splits rows [0, total) into `threads` contiguous ranges of near-equal size, each boundary a
 * multiple of `align` (the micro-tile height). Some ranges may be empty.
 */
export function splitRows(total: number, threads: number, align: number): Array<[number, number]> {
  const units = Math.ceil(total / align);
  const out: Array<[number, number]> = [];
  for (let t = 0; t < threads; t++) {
    const u0 = Math.floor((units * t) / threads);
    const u1 = Math.floor((units * (t + 1)) / threads);
    out.push([Math.min(total, u0 * align), Math.min(total, u1 * align)]);
  }
  return out;
}
