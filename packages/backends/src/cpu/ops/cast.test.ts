import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor, f16BitsToF32, f32ToF16Bits, onnxCodeOfDType, type DType } from "@quantpass/ir";
import { castTensor, f64ToBf16Bits, f64ToF16Bits, formatFloat, roundToPrecision } from "./cast.js";
import { f32, i64, run1, runOp, t, vals } from "./elementwise-test-util.js";

const cast = (x: Tensor, to: DType) => run1("Cast", [x], { to: onnxCodeOfDType(to) });
const f64 = (v: number[]) => new Tensor("f64", [v.length], Float64Array.from(v));

describe("Cast between floats", () => {
  it("rounds to nearest even, f64 → f16 directly (not through f32)", () => {
    // 1 + 2^-11 + 2^-40 is just above the f16 midpoint; through f32 it would become the midpoint and round to even (1).
    const x = 1 + 2 ** -11 + 2 ** -40;
    expect(vals(cast(f64([x]), "f16"))).toEqual([1 + 2 ** -10]);
    expect(f16BitsToF32(f32ToF16Bits(Math.fround(x)))).toBe(1);
    expect(vals(cast(f32([4], [65504, 65519, 65520, 1e-8]), "f16"))).toEqual([65504, 65504, Infinity, 0]);
    expect(vals(cast(f32([2], [2 ** -24, 3 * 2 ** -25]), "f16"))).toEqual([2 ** -24, 2 ** -23]);
    expect(vals(cast(f32([3], [1 + 2 ** -8, 1 + 3 * 2 ** -8, NaN]), "bf16"))).toEqual([1, 1 + 2 ** -6, NaN]);
    expect(vals(cast(f64([0.1]), "f32"))).toEqual([Math.fround(0.1)]);
    expect(vals(cast(t("f16", [2], [0.1, -Infinity]), "f64"))).toEqual([t("f16", [1], [0.1]).get(0), -Infinity]);
  });

  it("the direct roundings agree with f32ToF16Bits on every f32 value they see (property)", () => {
    fc.assert(fc.property(fc.float({ noNaN: true }), (v) => {
      expect(f64ToF16Bits(v)).toBe(f32ToF16Bits(v));
      expect(roundToPrecision(v, 24, -126)).toBe(v);
    }));
    expect(f64ToBf16Bits(1 + 2 ** -8 + 2 ** -30)).toBe(0x3f81);
  });
});

describe("Cast to and from integers", () => {
  it("float → int truncates toward zero; NaN and out-of-range give the x86 indefinite value, then wrap", () => {
    const x = f32([6], [2.9, -2.9, 300, -1, NaN, 3e9]);
    expect(vals(cast(x, "i32"))).toEqual([2, -2, 300, -1, -(2 ** 31), -(2 ** 31)]);
    expect(vals(cast(x, "u8"))).toEqual([2, 254, 44, 255, 0, 0]);
    expect(vals(cast(x, "i8"))).toEqual([2, -2, 44, -1, 0, 0]);
    expect(vals(cast(x, "u32"))).toEqual([2, 2 ** 32 - 2, 300, 2 ** 32 - 1, 0, 3e9]);
    const r = cast(f64([2 ** 60 + 2 ** 40, -1.5, NaN, 1e30]), "i64");
    expect([...(r.data as BigInt64Array)]).toEqual([2n ** 60n + 2n ** 40n, -1n, -(2n ** 63n), -(2n ** 63n)]);
    const u = cast(f64([2 ** 63 + 2 ** 20, -1]), "u64");
    expect([...(u.data as BigUint64Array)]).toEqual([2n ** 63n + 2n ** 20n, 2n ** 64n - 1n]);
  });

  it("int → int wraps; i64 keeps all 64 bits", () => {
    expect(vals(cast(t("i32", [3], [-1, 256, 70000]), "u8"))).toEqual([255, 0, 112]);
    expect(vals(cast(t("u8", [1], [200]), "i8"))).toEqual([-56]);
    expect(vals(cast(i64([2], [2n ** 40n + 5n, -1n]), "i32"))).toEqual([5, -1]);
    expect([...(cast(i64([1], [-1n]), "u64").data as BigUint64Array)]).toEqual([2n ** 64n - 1n]);
    expect([...(cast(t("i32", [1], [-7]), "i64").data as BigInt64Array)]).toEqual([-7n]);
    expect(vals(cast(i64([1], [2n ** 53n + 1n]), "f64"))).toEqual([2 ** 53]);
  });

  it("int4/uint4 round half to even and saturate; bool is x != 0", () => {
    expect(vals(cast(f32([6], [2.5, 3.5, -9, 100, -0.4, NaN]), "i4"))).toEqual([2, 4, -8, 7, 0, 0]);
    expect(vals(cast(t("i32", [3], [-3, 20, 7]), "u4"))).toEqual([0, 15, 7]);
    expect(vals(cast(t("i4", [3], [-8, 7, 1]), "f32"))).toEqual([-8, 7, 1]);
    expect(vals(cast(f32([4], [0, -0, NaN, 0.1]), "bool"))).toEqual([0, 0, 1, 1]);
    expect(vals(cast(i64([2], [0n, 2n ** 40n]), "bool"))).toEqual([0, 1]);
    expect(vals(cast(t("bool", [2], [1, 0]), "f16"))).toEqual([1, 0]);
  });
});

describe("Cast to and from strings", () => {
  it("numbers format as numpy's str(): shortest round-trip digits", () => {
    const s = cast(f32([8], [0.9767611, 0.039187793, 1e-5, 1e16, 123456789, 1, -2.5, NaN]), "string");
    expect(s.data).toEqual(["0.9767611", "0.039187793", "1e-05", "1e+16", "123456790.0", "1.0", "-2.5", "nan"]);
    expect(formatFloat(0.1, (v) => v)).toBe("0.1");
    expect(formatFloat(Math.fround(1.5e-7), Math.fround)).toBe("1.5e-07");
    expect(formatFloat(-Infinity, Math.fround)).toBe("-inf");
    expect(cast(i64([1], [-(2n ** 63n)]), "string").data).toEqual(["-9223372036854775808"]);
    expect(cast(t("f16", [1], [0.1]), "string").data).toEqual(["0.1"]);
  });

  it("strings parse decimal, scientific and the special names", () => {
    const s = new Tensor("string", [7], ["0.47892547", "1E8", "NaN", "INF", "+INF", "-inf", " 3 "]);
    expect(vals(cast(s, "f32"))).toEqual([Math.fround(0.47892547), 1e8, NaN, Infinity, Infinity, -Infinity, 3]);
    expect(vals(cast(new Tensor("string", [1], ["100.5"]), "i32"))).toEqual([100]);
    expect([...(cast(new Tensor("string", [1], ["9223372036854775807"]), "i64").data as BigInt64Array)]).toEqual([2n ** 63n - 1n]);
  });

  it("f32 → string → f32 is the identity (property)", () => {
    fc.assert(fc.property(fc.float(), (v) => {
      const back = castTensor(castTensor(f32([1], [v]), "string"), "f32");
      expect(Object.is(back.get(0), v) || (Number.isNaN(v) && Number.isNaN(back.get(0)))).toBe(true);
    }));
  });
});

describe("CastLike and type agreement", () => {
  it("CastLike takes the dtype of its second input", () => {
    const r = run1("CastLike", [f32([2], [1.5, -1.5]), t("i8", [1], [0])]);
    expect(r.dtype).toBe("i8");
    expect(vals(r)).toEqual([1, -1]);
  });

  it("the kernel output matches the inferred type for every dtype pair (property)", () => {
    const dts: DType[] = ["f32", "f16", "bf16", "f64", "i64", "i32", "i16", "i8", "u8", "u16", "u32", "u64", "bool", "i4", "u4", "string"];
    fc.assert(fc.property(fc.constantFrom(...dts), fc.constantFrom(...dts), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), (from, to, shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = from === "string" ? new Tensor("string", shape, Array.from({ length: n }, (_, i) => String(i % 2))) : Tensor.fromNumbers(from, shape, Array.from({ length: n }, (_, i) => i % 2));
      const { out } = runOp("Cast", [x], { to: onnxCodeOfDType(to) }, [], true);
      expect(out.dtype).toBe(to);
      if (to !== "string" && from !== "string") expect(vals(out)).toEqual(vals(x));
    }));
  });
});
