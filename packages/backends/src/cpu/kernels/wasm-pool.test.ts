import { describe, expect, it } from "vitest";
import { Wasm } from "./wasm-api.js";
import { WasmHeap } from "./wasm-heap.js";
import { splitRows, WasmThreadPool } from "./wasm-pool.js";

/**
 * A hand-assembled module importing the kernels' shared memory and exporting two kernels of
 * the pool's signature (i32 x4 → ()): "trap" executes `unreachable`, "ok" returns.
 */
const TRAP_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, // type: (i32 i32 i32 i32) -> ()
  0x02, 0x12, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, // import env.memory
  0x02, 0x03, 0x01, 0x80, 0x80, 0x02, //   shared, min 1, max 32768
  0x03, 0x03, 0x02, 0x00, 0x00, // two functions of type 0
  0x07, 0x0d, 0x02, 0x04, 0x74, 0x72, 0x61, 0x70, 0x00, 0x00, 0x02, 0x6f, 0x6b, 0x00, 0x01, // exports
  0x0a, 0x08, 0x02, 0x03, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x0b, // bodies: unreachable; nop
]);

describe("WasmThreadPool", () => {
  it("reports a kernel that traps in a worker, and keeps working afterwards", async () => {
    const heap = new WasmHeap(1);
    const pool = await WasmThreadPool.create(new Wasm.Module(TRAP_MODULE), heap.memory, ["trap", "ok"], 2);
    const job = (fn: number) => ({ fn, params: 0, ranges: [[0, 0], [0, 1]] as const, work: [0, 0] });
    expect(() => pool.runSync(job(0))).toThrow(/kernel failed in a worker.*unreachable/s);
    expect(() => pool.runSync(job(1))).not.toThrow();
    await expect(pool.runAsync(job(0))).rejects.toThrow(/kernel failed in a worker/);
    await pool.runAsync(job(1));
    await pool.close();
    expect(() => pool.runSync(job(1))).toThrow(/closed/);
  });
});

describe("splitRows", () => {
  it("covers [0, total) with contiguous, aligned, balanced ranges", () => {
    expect(splitRows(10, 2, 4)).toEqual([[0, 4], [4, 10]]);
    expect(splitRows(3, 2, 4)).toEqual([[0, 0], [0, 3]]);
    expect(splitRows(16, 3, 4)).toEqual([[0, 4], [4, 8], [8, 16]]);
    expect(splitRows(0, 2, 4)).toEqual([[0, 0], [0, 0]]);
  });
});
