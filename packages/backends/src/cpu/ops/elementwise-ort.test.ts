/**
 * The f32 kernels of the elementwise, reduction and softmax groups against onnxruntime-node
 * (the project's oracle) on seeded random data. Exact ops must be bit-identical; transcendental
 * ops within a few float32 ulps (onnxruntime uses vectorized approximations, quantpass rounds
 * the f64 value once); where float32 code cancels (Elu near 0, long f32 sums, LogSoftmax near 0)
 * quantpass is the more accurate one and the budget adds an absolute term (likewise for
 * onnxruntime's Sigmoid, which is accurate to ~1e-7 absolute: sigmoid(-8) is off by 2e-4 relative).
 */
import { afterAll, describe, expect, it } from "vitest";
import { GraphBuilder, Tensor, type Attrs } from "@quantpass/ir";
import { CpuInterpreter } from "../interpreter.js";
import { OrtExecutor } from "../../onnx/ort-executor.js";

const ort = new OrtExecutor({ threads: 1 });
afterAll(() => ort.dispose());
const cpu = new CpuInterpreter();

function data(lo: number, hi: number, seed: number, shape = [16, 64]): Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.f32(shape, Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  }));
}
const axes = (v: number[]) => new Tensor("i64", [v.length], BigInt64Array.from(v.map(BigInt)));

interface Case {
  op: string;
  ins: Tensor[];
  attrs?: Attrs;
  consts?: number[];
  /** Allowed float32 ulps of the onnxruntime value (0: bit-identical), plus an absolute term. */
  ulps: number;
  atol?: number;
}

const X = data(-8, 8, 1), P = data(0.01, 10, 2), U = data(-0.99, 0.99, 3), G = data(1.01, 10, 4), Y = data(-3, 3, 9), NEAR1 = data(0.9, 1.1, 7);
const CASES: Case[] = [
  ...["Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "PRelu"].map((op) => ({ op, ins: [P, Y], ulps: 0 })),
  { op: "Add", ins: [X, data(-1, 1, 5, [64])], ulps: 0 },
  { op: "Mod", ins: [X, data(0.5, 3, 5)], attrs: { fmod: 1 }, ulps: 0 },
  { op: "Pow", ins: [P, Y], ulps: 1 },
  { op: "Pow", ins: [P, Tensor.f32([], [2])], ulps: 0 },
  { op: "Pow", ins: [P, Tensor.f32([], [0.5])], ulps: 1 },
  ...["Relu", "LeakyRelu", "ThresholdedRelu", "Round", "Abs", "Neg", "Sign", "Floor", "Ceil", "HardSigmoid", "HardSwish"].map((op) => ({ op, ins: [X], ulps: 0 })),
  ...["Sqrt", "Reciprocal"].map((op) => ({ op, ins: [P], ulps: 0 })),
  // onnxruntime's Sigmoid (MLAS) is a rational approximation good to ~1e-7 absolute, not relative.
  { op: "Sigmoid", ins: [X], ulps: 4, atol: 1e-7 },
  ...["Exp", "Tanh", "Erf", "Sin", "Cos", "Atan", "Sinh", "Cosh", "Asinh", "Softplus", "Softsign", "Mish"].map((op) => ({ op, ins: [X], ulps: 4 })),
  ...["Log", "Tan"].map((op) => ({ op, ins: [P], ulps: 4 })),
  ...["Asin", "Acos", "Atanh"].map((op) => ({ op, ins: [U], ulps: 4 })),
  { op: "Acosh", ins: [G], ulps: 4 },
  ...["Elu", "Selu", "Celu"].map((op) => ({ op, ins: [X], ulps: 2, atol: 2e-7 })),
  { op: "Gelu", ins: [X], ulps: 4, atol: 1e-6 },
  { op: "Gelu", ins: [X], attrs: { approximate: "tanh" }, ulps: 4, atol: 1e-6 },
  ...[-1, 0].flatMap((axis) => [
    { op: "Softmax", ins: [X], attrs: { axis }, ulps: 8 },
    { op: "LogSoftmax", ins: [X], attrs: { axis }, ulps: 2, atol: 5e-7 },
    { op: "Hardmax", ins: [X], attrs: { axis }, ulps: 0 },
  ]),
  ...[[-1], [0], [0, 1]].flatMap((a) => [
    ...["ReduceMax", "ReduceMin"].map((op) => ({ op, ins: [X, axes(a)], consts: [1], ulps: 0 })),
    ...["ReduceSum", "ReduceMean", "ReduceL1", "ReduceL2", "ReduceSumSquare"].map((op) => ({ op, ins: [X, axes(a)], consts: [1], ulps: 8, atol: 3e-5 })),
    { op: "ReduceProd", ins: [NEAR1, axes(a)], consts: [1], ulps: 8, atol: 1e-6 },
    { op: "ReduceLogSum", ins: [P, axes(a)], consts: [1], ulps: 2 },
    { op: "ReduceLogSumExp", ins: [X, axes(a)], consts: [1], ulps: 2 },
  ]),
  { op: "CumSum", ins: [X, new Tensor("i64", [], BigInt64Array.of(1n))], consts: [1], ulps: 0 },
  { op: "Cast", ins: [X], attrs: { to: 10 }, ulps: 0 },
  { op: "Cast", ins: [data(-300, 300, 6)], attrs: { to: 6 }, ulps: 0 },
  { op: "Where", ins: [Tensor.fromNumbers("bool", [64], Array.from({ length: 64 }, (_, i) => i % 3 & 1)), X, Y], ulps: 0 },
];

describe("f32 kernels match onnxruntime", () => {
  it.each(CASES.map((c) => ({ ...c, name: `${c.op} ${JSON.stringify(c.attrs ?? {})} ${c.ins[1]?.dtype === "i64" ? `axes [${c.ins[1].toNumbers()}]` : ""}` })))("$name", async (c) => {
    const b = new GraphBuilder("g");
    const feeds: Record<string, Tensor> = {};
    const names = c.ins.map((t, i) => {
      if (c.consts?.includes(i)) return b.constant(`c${i}`, t);
      feeds[`x${i}`] = t;
      return b.input(`x${i}`, t.dtype, t.shape);
    });
    const y = b.op1(c.op, names, c.attrs ?? {});
    b.output(y);
    const g = b.build();
    const got = cpu.runSync(g, feeds)[y]!;
    const want = (await ort.run(g, feeds))[y]!;
    expect(got.dtype).toBe(want.dtype);
    expect(got.shape).toEqual(want.shape);
    let worst = 0;
    for (let i = 0; i < want.size; i++) {
      const p = got.get(i), q = want.get(i);
      if (p === q || (p !== p && q !== q)) continue;
      const ulp = Math.max(Math.abs(q), 2 ** -126) * 2 ** -23;
      const excess = (Math.abs(p - q) - (c.atol ?? 0)) / ulp;
      worst = Math.max(worst, excess);
    }
    expect(worst).toBeLessThanOrEqual(c.ulps);
  });
});
