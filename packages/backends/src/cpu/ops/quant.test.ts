import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GraphBuilder, Tensor, verify, type Graph } from "@quantpass/ir";
import { CpuInterpreter } from "../interpreter.js";

const cpu = new CpuInterpreter();
const f32s = (n: number, max = 10) => fc.array(fc.float({ min: -max, max, noNaN: true }), { minLength: n, maxLength: n });

function single(stage: Graph["stage"], op: string, attrs: Record<string, number | string | number[]>, shape: number[]): Graph {
  const b = new GraphBuilder("g", stage);
  const x = b.input("x", "f32", shape);
  const q = b.op1(op, [x], attrs);
  b.output(op === "quantize" ? b.op1("dequantize", [q]) : q);
  const g = b.build();
  verify(g);
  return g;
}

describe("quant kernels", () => {
  it("quantize then dequantize is within scale/2 inside the range, exactly fake_quant", () => {
    fc.assert(
      fc.property(
        f32s(12),
        fc.float({ min: Math.fround(0.01), max: 2, noNaN: true }),
        fc.integer({ min: -20, max: 20 }),
        fc.constantFrom("i8", "u8", "i4", "u4"),
        (xs, scale, zp0, storage) => {
          const [lo, hi] = { i8: [-128, 127], u8: [0, 255], i4: [-8, 7], u4: [0, 15] }[storage]!;
          const zp = Math.max(lo!, Math.min(hi!, zp0 + (storage[0] === "u" ? (hi! + 1) / 2 : 0)));
          const attrs = { storage, scale: [scale], zero_point: [zp] };
          const x = Tensor.f32([12], xs);
          const qd = cpu.runSync(single("int", "quantize", attrs, [12]), { x });
          const fq = cpu.runSync(single("fake-quant", "fake_quant", attrs, [12]), { x });
          const a = Object.values(qd)[0]!.data as Float32Array;
          const b = Object.values(fq)[0]!.data as Float32Array;
          expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
          const s = Math.fround(scale);
          xs.forEach((v, i) => {
            const inRange = v >= (lo! - zp) * s && v <= (hi! - zp) * s;
            if (inRange) expect(Math.abs(a[i]! - v)).toBeLessThanOrEqual(s / 2 + Math.abs(v) * 1e-6);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rounds half to even and saturates", () => {
    const g = single("int", "quantize", { storage: "i8", scale: [1] }, [6]);
    const q = cpu.runSync(g, { x: Tensor.f32([6], [0.5, 1.5, 2.5, -2.5, 1000, -1000]) });
    expect(Array.from(Object.values(q)[0]!.data as Float32Array)).toEqual([0, 2, 2, -2, 127, -128]);
  });

  it("dynamic_quant gives per-row scales absmax/127 and a zero row a finite scale", () => {
    const b = new GraphBuilder("g", "int");
    const x = b.input("x", "f32", [2, 3]);
    const [q, s] = b.op("dynamic_quant", [x], {}, { outputs: ["q", "s"] });
    b.output(q!, s!);
    const out = cpu.runSync(b.build(), { x: Tensor.f32([2, 3], [1, -2, 0.5, 0, 0, 0]) });
    expect(Array.from(out.q!.data as Int8Array)).toEqual([64, -127, 32, 0, 0, 0]);
    expect(out.s!.get(0)).toBe(Math.fround(2 / 127));
    expect(Number.isFinite(out.s!.get(1)) && out.s!.get(1) > 0).toBe(true);
  });

  it("quant_matmul accumulates exactly in int32 and requantizes in f32", () => {
    const b = new GraphBuilder("g", "int");
    const x = b.input("x", "f32", [2, 3]);
    const xq = b.op1("quantize", [x], { storage: "i8", scale: [0.5] });
    const w = b.constant("w", Tensor.fromNumbers("i8", [3, 2], [1, -2, 3, 4, -5, 6]), {
      dtype: "i8", shape: [3, 2],
      quant: { storage: "i8", expressed: "f32", granularity: { kind: "per-axis", axis: 1 }, scale: Float32Array.from([0.25, 0.125]), zeroPoint: null },
    });
    b.output(b.op1("quant_matmul", [xq, w]));
    const g = b.build();
    verify(g);
    const y = Object.values(cpu.runSync(g, { x: Tensor.f32([2, 3], [1, 2, 3, -1, 0, 0.5]) }))[0]!;
    // xq = [2,4,6],[-2,0,1]; acc = [2+12-30, -4+16+36] = [-16, 48]; [-2-5, 4+6] = [-7, 10]
    expect(Array.from(y.data as Float32Array)).toEqual([-16 * 0.125, 48 * 0.0625, -7 * 0.125, 10 * 0.0625]);
  });
});
