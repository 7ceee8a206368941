import { describe, expect, it } from "vitest";
import { Wasm } from "./wasm-api.js";
import { WasmHeap } from "./wasm-heap.js";
import { chunkRows, WasmThreadPool } from "./wasm-pool.js";

/**
 * A hand-assembled module importing the kernels' shared memory and exporting two kernels of
 * the pool's signature (params, r0, r1, work) → ():
 *   "spin": on workspace 0 (the caller) spins `params` iterations; on any other workspace
 *           (a worker) executes `unreachable`;
 *   "ok":   returns;
 *   "count": adds 1 to the i32 at params + 4*r for every row r in [r0, r1).
 */
const TEST_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, // type: (i32 i32 i32 i32) -> ()
  0x02, 0x12, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, // import env.memory
  0x02, 0x03, 0x01, 0x80, 0x80, 0x02, //   shared, min 1, max 32768
  0x03, 0x04, 0x03, 0x00, 0x00, 0x00, // three functions of type 0
  0x07, 0x15, 0x03, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x00, 0x02, 0x6f, 0x6b, 0x00, 0x01, // exports
  0x05, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x00, 0x02,
  0x0a, 0x47, 0x03,
  0x14, 0x00, // "spin": no locals
  0x20, 0x03, 0x04, 0x40, 0x00, 0x0b, // if (work) unreachable
  0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, // loop: params -= 1 while != 0
  0x0b,
  0x02, 0x00, 0x0b, // "ok"
  0x2d, 0x00, // "count": no locals
  0x02, 0x40, 0x03, 0x40, // block loop
  0x20, 0x01, 0x20, 0x02, 0x4f, 0x0d, 0x01, // if r0 >= r1 break
  0x20, 0x01, 0x41, 0x02, 0x74, 0x20, 0x00, 0x6a, 0x22, 0x03, // work = params + 4*r0
  0x20, 0x03, 0x28, 0x02, 0x00, 0x41, 0x01, 0x6a, 0x36, 0x02, 0x00, // mem[work] += 1
  0x20, 0x01, 0x41, 0x01, 0x6a, 0x21, 0x01, // r0 += 1
  0x0c, 0x00, 0x0b, 0x0b, 0x0b,
]);

describe("WasmThreadPool", () => {
  it("reports a kernel that traps in a worker, and keeps working afterwards", async () => {
    const heap = new WasmHeap(1);
    const pool = await WasmThreadPool.create(new Wasm.Module(TEST_MODULE), heap.memory, ["spin", "ok", "count"], 2);
    // 8 chunks of ~10 ms each for the caller: the worker claims one as soon as it runs
    const job = (fn: number) => ({ fn, params: 20_000_000, rows: 8, chunk: 1, work: [0, 64] });
    let error: unknown;
    for (let attempt = 0; attempt < 20 && !error; attempt++) {
      try {
        pool.runSync(job(0));
      } catch (e) {
        error = e;
      }
    }
    expect(String(error)).toMatch(/kernel failed in a worker.*unreachable/s);
    expect(() => pool.runSync(job(1))).not.toThrow();
    let asyncError: unknown;
    for (let attempt = 0; attempt < 20 && !asyncError; attempt++) {
      await pool.runAsync(job(0)).catch((e: unknown) => (asyncError = e));
    }
    expect(String(asyncError)).toMatch(/kernel failed in a worker/);
    await pool.runAsync(job(1));
    await pool.close();
    expect(() => pool.runSync(job(1))).toThrow(/closed/);
  });

  it("runs every row exactly once whoever claims it, over many jobs back to back", async () => {
    const heap = new WasmHeap(1);
    const pool = await WasmThreadPool.create(new Wasm.Module(TEST_MODULE), heap.memory, ["spin", "ok", "count"], 3);
    const base = 1024;
    const rows = 61;
    const counts = new Int32Array(heap.buffer, base, rows);
    const job = { fn: 2, params: base, rows, chunk: 4, work: [0, 0, 0] };
    for (let i = 0; i < 300; i++) pool.runSync(job);
    for (let i = 0; i < 100; i++) await pool.runAsync(job);
    expect([...counts]).toEqual(new Array(rows).fill(400));
    await pool.close();
  });
});

describe("chunkRows", () => {
  it("cuts about 4 chunks per thread, aligned, not too small, at most 511 chunks", () => {
    expect(chunkRows(512, 2, 4)).toBe(64);
    expect(chunkRows(100, 2, 4)).toBe(16);
    expect(chunkRows(1000, 3, 4)).toBe(84);
    expect(Math.ceil(1e6 / chunkRows(1e6, 64, 4))).toBeLessThanOrEqual(511);
  });
});
