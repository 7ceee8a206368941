/**
 * Runs a WebAssembly kernel on 1..T threads over one shared WebAssembly.Memory.
 *
 * The calling thread is thread 0; threads 1..T-1 are worker_threads that instantiate the same
 * module on the same memory and sleep in Atomics.wait on a shared control block. A job is
 * "call export `fn`(params, r0, r1, work) over rows [0, rows)", cut into chunks of `chunk`
 * rows. Every thread, the caller included, claims chunks with an atomic compare-exchange
 * until none are left, so a worker that the OS does not schedule (a loaded machine) delays
 * nothing: the caller does its chunks. Which thread computes a row never changes the row's
 * result (the kernels compute rows independently), so results do not depend on the timing.
 *
 * `runSync` then blocks in Atomics.wait until no worker is inside the job (Node allows that on
 * the main thread); `runAsync` awaits Atomics.waitAsync instead. Workers are unref'd, so an
 * unclosed pool never keeps a process alive; close() stops them.
 */
import { Worker } from "node:worker_threads";
import { atomicsWaitAsync, Wasm, type WasmInstance, type WasmMemory, type WasmModule } from "./wasm-api.js";

/** Control block slots (Int32Array indices), shared by all workers. */
const SEQ = 0; // job number, bumped by the caller to start a job
const CLAIM = 1; // (job & 0x1fff) << 18 | chunks << 9 | next chunk: claimed with compareExchange
const ACTIVE = 2; // workers inside a job
const FN = 3; // index into the export names, -1 = quit
const PARAMS = 4;
const ROWS = 5;
const CHUNK = 6;
const STATUS = 7; // 0 ok, 1 a worker's kernel threw
const MSG_LEN = 8; // bytes of that error message in the message buffer
const WORK0 = 9; // WORK0 + t: workspace address of thread t
const MAX_CHUNKS = 511;
const MSG_BYTES = 2048;

/**
 * Claims the next chunk of job `job` (13 bits), or returns -1 when none is left or the job is
 * over. The whole state is one Int32 word, so a claim never mixes two jobs. (The worker body
 * below carries the same function as text.)
 */
function claim(ctl: Int32Array, job: number): number {
  for (;;) {
    const w = Atomics.load(ctl, CLAIM);
    if (w >>> 18 !== job) return -1;
    const next = w & 0x1ff;
    if (next >= ((w >>> 9) & 0x1ff)) return -1;
    if (Atomics.compareExchange(ctl, CLAIM, w, w + 1) === w) return next;
  }
}

const CLAIM_SOURCE = `function claim(ctl, job) {
  for (;;) {
    const w = Atomics.load(ctl, ${CLAIM});
    if (w >>> 18 !== job) return -1;
    const next = w & 0x1ff;
    if (next >= ((w >>> 9) & 0x1ff)) return -1;
    if (Atomics.compareExchange(ctl, ${CLAIM}, w, w + 1) === w) return next;
  }
}`;

/** Worker body (CommonJS, evaluated from a string so it needs no TypeScript loader). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, control, message, exportNames, index } = workerData;
const ctl = new Int32Array(control);
const msg = new Uint8Array(message);
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = exportNames.map((name) => inst.exports[name]);
${CLAIM_SOURCE}
parentPort.postMessage({ ready: true });
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  if (Atomics.load(ctl, ${FN}) < 0) break;
  Atomics.add(ctl, ${ACTIVE}, 1);
  try {
    const job = seen & 0x1fff;
    for (;;) {
      const c = claim(ctl, job);
      if (c < 0) break;
      // a successful claim means the caller is still in this job: these fields are its own
      const rows = ctl[${ROWS}], chunk = ctl[${CHUNK}];
      fns[ctl[${FN}]](ctl[${PARAMS}], c * chunk, Math.min(rows, (c + 1) * chunk), ctl[${WORK0} + index]);
    }
  } catch (e) {
    if (Atomics.compareExchange(ctl, ${STATUS}, 0, 1) === 0) {
      const bytes = new TextEncoder().encode(String((e && e.stack) || e)).subarray(0, ${MSG_BYTES});
      msg.set(bytes);
      Atomics.store(ctl, ${MSG_LEN}, bytes.length);
    }
  } finally {
    if (Atomics.sub(ctl, ${ACTIVE}, 1) === 1) Atomics.notify(ctl, ${ACTIVE});
  }
}
`;

type Kernel = (params: number, r0: number, r1: number, work: number) => void;

export interface ThreadJob {
  /** Index into the pool's export names. */
  fn: number;
  params: number;
  /** Rows [0, rows) are computed, in chunks of `chunk` rows (see chunkRows). */
  rows: number;
  chunk: number;
  /** work[t] = thread t's workspace address (one per pool thread). */
  work: readonly number[];
  /** Use only the calling thread (small jobs). */
  callerOnly?: boolean;
}

export class WasmThreadPool {
  readonly threads: number;
  readonly instance: WasmInstance;
  private readonly fns: Kernel[];
  private readonly workers: Worker[];
  private readonly ctl: Int32Array;
  private readonly msg: Uint8Array;
  private seq = 0;
  private busy = false;
  private closed = false;

  private constructor(threads: number, instance: WasmInstance, fns: Kernel[], workers: Worker[], control: SharedArrayBuffer, message: SharedArrayBuffer) {
    this.threads = threads;
    this.instance = instance;
    this.fns = fns;
    this.workers = workers;
    this.ctl = new Int32Array(control);
    this.msg = new Uint8Array(message);
  }

  /** A pool without workers (threads = 1); usable synchronously. */
  static single(module: WasmModule, memory: WasmMemory, exportNames: readonly string[]): WasmThreadPool {
    const instance = new Wasm.Instance(module, { env: { memory } });
    return new WasmThreadPool(1, instance, kernels(instance, exportNames), [], new SharedArrayBuffer((WORK0 + 1) * 4), new SharedArrayBuffer(4));
  }

  static async create(module: WasmModule, memory: WasmMemory, exportNames: readonly string[], threads: number): Promise<WasmThreadPool> {
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new RangeError(`threads must be an integer in 1..64, got ${threads}`);
    const instance = new Wasm.Instance(module, { env: { memory } });
    const control = new SharedArrayBuffer((WORK0 + threads) * 4);
    const message = new SharedArrayBuffer(MSG_BYTES);
    const workers = await Promise.all(
      Array.from({ length: threads - 1 }, async (_, i): Promise<Worker> => {
        const worker = new Worker(WORKER_SOURCE, {
          eval: true,
          workerData: { module, memory, control, message, exportNames: [...exportNames], index: i + 1 },
        });
        await new Promise<void>((resolve, reject) => {
          worker.once("message", () => {
            worker.off("error", reject);
            resolve();
          });
          worker.once("error", reject);
        });
        worker.unref();
        return worker;
      }),
    );
    return new WasmThreadPool(threads, instance, kernels(instance, exportNames), workers, control, message);
  }

  /** Publishes the job to the workers (if it uses them); returns the job's 13-bit number or -1. */
  private start(job: ThreadJob): number {
    if (this.closed) throw new Error("WasmThreadPool: closed");
    if (this.busy) throw new Error("WasmThreadPool: a job is already running (calls must not overlap)");
    if (job.work.length !== this.threads) throw new Error("WasmThreadPool: one workspace per thread expected");
    this.busy = true;
    const chunks = Math.ceil(job.rows / job.chunk);
    if (job.callerOnly || this.workers.length === 0 || chunks < 2) return -1;
    if (chunks > MAX_CHUNKS) throw new RangeError(`WasmThreadPool: ${chunks} chunks, at most ${MAX_CHUNKS}`);
    const c = this.ctl;
    c[FN] = job.fn;
    c[PARAMS] = job.params;
    c[ROWS] = job.rows;
    c[CHUNK] = job.chunk;
    job.work.forEach((w, t) => (c[WORK0 + t] = w));
    Atomics.store(c, STATUS, 0);
    this.seq = (this.seq + 1) | 0;
    const id = this.seq & 0x1fff;
    Atomics.store(c, CLAIM, (id << 18) | (chunks << 9));
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
    return id;
  }

  /** The caller's part: claims chunks until none are left (all rows when the job is not shared). */
  private runOwnShare(job: ThreadJob, id: number): void {
    const fn = this.fns[job.fn]!;
    if (id < 0) {
      if (job.rows > 0) fn(job.params, 0, job.rows, job.work[0]!);
      return;
    }
    for (let ch = claim(this.ctl, id); ch >= 0; ch = claim(this.ctl, id)) {
      fn(job.params, ch * job.chunk, Math.min(job.rows, (ch + 1) * job.chunk), job.work[0]!);
    }
  }

  private finish(): void {
    this.busy = false;
    if (Atomics.load(this.ctl, STATUS) !== 0) {
      Atomics.store(this.ctl, STATUS, 0);
      const text = new TextDecoder().decode(this.msg.slice(0, Atomics.load(this.ctl, MSG_LEN)));
      throw new Error(`WasmThreadPool: kernel failed in a worker: ${text}`);
    }
  }

  /** Runs the job; returns when every row is done and no worker is inside the job. */
  runSync(job: ThreadJob): void {
    const id = this.start(job);
    try {
      this.runOwnShare(job, id);
    } finally {
      if (id >= 0) {
        for (let a = Atomics.load(this.ctl, ACTIVE); a !== 0; a = Atomics.load(this.ctl, ACTIVE)) {
          Atomics.wait(this.ctl, ACTIVE, a, 1000);
        }
      }
      this.busy = false;
    }
    this.finish();
  }

  /** The same; the caller's chunks run before the first await. */
  async runAsync(job: ThreadJob): Promise<void> {
    const id = this.start(job);
    try {
      this.runOwnShare(job, id);
    } finally {
      if (id >= 0) {
        this.refWorkers(true); // Atomics.waitAsync alone does not keep the event loop alive
        try {
          for (let a = Atomics.load(this.ctl, ACTIVE); a !== 0; a = Atomics.load(this.ctl, ACTIVE)) {
            const res = atomicsWaitAsync(this.ctl, ACTIVE, a, 1000);
            if (res.async) await res.value;
          }
        } finally {
          this.refWorkers(false);
        }
      }
      this.busy = false;
    }
    this.finish();
  }

  private refWorkers(on: boolean): void {
    for (const w of this.workers) {
      if (on) w.ref();
      else w.unref();
    }
  }

  /** Stops the workers; the pool cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.workers.length === 0) return;
    const exited = this.workers.map((w) => new Promise<void>((resolve) => w.once("exit", () => resolve())));
    Atomics.store(this.ctl, FN, -1);
    Atomics.store(this.ctl, SEQ, (this.seq + 1) | 0);
    Atomics.notify(this.ctl, SEQ);
    const timer = setTimeout(() => this.workers.forEach((w) => void w.terminate()), 2000);
    await Promise.all(exited);
    clearTimeout(timer);
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
 * Rows per chunk for `rows` rows on `threads` threads: about 4 chunks per thread (so a late
 * or slow thread's share is picked up by the others), a multiple of `align` (the micro-tile
 * height), at least `minRows`.
 */
export function chunkRows(rows: number, threads: number, align: number, minRows = 16): number {
  const target = Math.ceil(rows / (threads * 4));
  const chunk = Math.max(minRows, Math.ceil(target / align) * align);
  return Math.max(chunk, Math.ceil(rows / MAX_CHUNKS / align) * align);
}
