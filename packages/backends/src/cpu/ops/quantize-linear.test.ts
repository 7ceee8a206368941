import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor, intRange, type DType } from "@quantpass/ir";
import { runOp } from "./op-test-util.js";

const f = (v: number[] | number, shape?: number[]) => (Array.isArray(v) ? Tensor.f32(shape ?? [v.length], v) : Tensor.scalar("f32", v));

describe("QuantizeLinear kernel", () => {
  it("rounds half to even, adds the zero point and saturates", () => {
    const x = f([0.5, 1.5, 2.5, -2.5, -0.5, 1000, -1000, 3.1]);
    expect(runOp("QuantizeLinear", [x, f(1), Tensor.scalar("u8", 10)])[0]!.toNumbers()).toEqual([10, 12, 12, 8, 10, 255, 0, 13]);
    expect(runOp("QuantizeLinear", [x, f(1), Tensor.scalar("i8", 0)])[0]!.toNumbers()).toEqual([0, 2, 2, -2, 0, 127, -128, 3]);
    expect(runOp("QuantizeLinear", [x, f(1)])[0]!.dtype).toBe("u8");
  });

  it("quantizes per axis and blocked to int4 (packed two a byte)", () => {
    const x = f([1, 2, 3, 4, -8, 8], [2, 3]);
    const [pa] = runOp("QuantizeLinear", [x, f([1, 2, 4]), Tensor.fromNumbers("i8", [3], [0, 1, -1])], { axis: 1 });
    expect(pa!.toNumbers()).toEqual([1, 2, 0, 4, -3, 1]); // 3/4 = 0.75 -> 1 - 1 = 0; 8/4 = 2 - 1 = 1
    const [b] = runOp("QuantizeLinear", [x, f([1, 0.5, 2, 1], [2, 2])], { axis: 1, block_size: 2, output_dtype: 22 });
    expect(b!.dtype).toBe("i4");
    expect(b!.toNumbers()).toEqual([1, 2, 6, 2, -4, 7]); // row 0 blocks: [1,2]/1, [3]/0.5; row 1: [4,-8]/2, [8]/1 saturates
    expect([...(b!.data as Uint8Array)]).toEqual([0x21, 0x26, 0x7c]);
  });

  it("keeps the error within scale/2 inside the representable range (and DQ(Q(x)) is idempotent)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<DType>("u8", "i8", "u16", "i16", "u4", "i4"), fc.float({ min: Math.fround(1e-3), max: 10, noNaN: true }), fc.nat(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (dtype, scale, zpSeed, us) => {
          const [qmin, qmax] = intRange(dtype);
          const zp = qmin + (zpSeed % (qmax - qmin + 1));
          const lo = (qmin - zp) * scale, hi = (qmax - zp) * scale;
          const x = f(us.map((u) => Math.fround(lo + u * (hi - lo))));
          const zpT = Tensor.fromNumbers(dtype, [], [zp]);
          const [q] = runOp("QuantizeLinear", [x, f(scale), zpT]);
          const [dq] = runOp("DequantizeLinear", [q!, f(scale), zpT]);
          const X = x.data as Float32Array, D = dq!.data as Float32Array;
          for (let i = 0; i < X.length; i++) expect(Math.abs(D[i]! - X[i]!)).toBeLessThanOrEqual(scale / 2 + Math.abs(X[i]!) * 2 ** -22 + 1e-30);
          const [q2] = runOp("QuantizeLinear", [dq!, f(scale), zpT]);
          expect(q2!.toNumbers()).toEqual(q!.toNumbers());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("DequantizeLinear kernel", () => {
  it("computes (x - zp) * scale per tensor, per axis, blocked, from i32 and to f16", () => {
    const x = Tensor.fromNumbers("u8", [2, 2], [0, 10, 255, 128]);
    expect([...runOp("DequantizeLinear", [x, f(0.5), Tensor.scalar("u8", 128)])[0]!.data]).toEqual([-64, -59, 63.5, 0]);
    expect([...runOp("DequantizeLinear", [x, f([1, 2]), Tensor.fromNumbers("u8", [2], [0, 10])], { axis: 0 })[0]!.data]).toEqual([0, 10, 490, 236]);
    const i4 = Tensor.fromNumbers("i4", [1, 4], [-8, 7, 1, -1]);
    expect([...runOp("DequantizeLinear", [i4, f([2, 0.5], [1, 2])], { axis: -1, block_size: 2 })[0]!.data]).toEqual([-16, 14, 0.5, -0.5]);
    expect([...runOp("DequantizeLinear", [Tensor.fromNumbers("i32", [2], [1000, -3]), f(0.25)])[0]!.data]).toEqual([250, -0.75]);
    const [h] = runOp("DequantizeLinear", [x, Tensor.fromNumbers("f16", [], [0.5])]);
    expect(h!.dtype).toBe("f16");
    expect(h!.toNumbers()).toEqual([0, 5, 127.5, 64]);
  });
});

describe("DynamicQuantizeLinear kernel", () => {
  it("matches the ONNX example", () => {
    const [y, s, z] = runOp("DynamicQuantizeLinear", [f([0, 2, -3, -2.5, 1.34, 0.5])], {}, 3);
    expect(s!.get(0)).toBe(Math.fround(5 / 255));
    expect(z!.toNumbers()).toEqual([153]);
    expect(y!.toNumbers()).toEqual([153, 255, 0, 26, 221, 179]);
  });

  it("gives scale 1 and zero point 0 for an all-zero input (never NaN)", () => {
    const [y, s, z] = runOp("DynamicQuantizeLinear", [f([0, 0])], {}, 3);
    expect([s!.get(0), z!.get(0), ...y!.toNumbers()]).toEqual([1, 0, 0, 0]);
  });
});
