/**
 * fast-check arbitraries for IR graphs and tensors, shared by the project's own
 * property tests and by users testing their passes (`@quantpass/ir/testing`).
 */
import fc from "fast-check";
import { GraphBuilder } from "../builder.js";
import type { DType } from "../dtype.js";
import type { Graph } from "../graph.js";
import { getOp } from "../op-registry.js";
import { Tensor } from "../tensor.js";
import type { Dim } from "../types.js";

/** Value names, including ones the text form must quote. */
export const arbName: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/),
  fc.constantFrom("onnx::Conv_12", "/model/layers.0/Add_output_0", "a b", 'q"uote', "12", "x.y"),
);

const f32Value = fc.oneof(
  { weight: 8, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 1e-45, 3.4028234663852886e38) },
);

/** A tensor of the given dtype and static shape with arbitrary contents. */
export function arbTensor(dtype: DType, shape: readonly number[]): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === "f32") return fc.array(f32Value, { minLength: n, maxLength: n }).map((v) => Tensor.f32(shape, v));
  if (dtype === "i64") return fc.array(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), { minLength: n, maxLength: n }).map((v) => new Tensor("i64", shape, BigInt64Array.from(v)));
  const range: Partial<Record<DType, [number, number]>> = { i8: [-128, 127], u8: [0, 255], i32: [-(2 ** 31), 2 ** 31 - 1], i4: [-8, 7], u4: [0, 15], bool: [0, 1] };
  const [lo, hi] = range[dtype] ?? [-100, 100];
  return fc.array(fc.integer({ min: lo, max: hi }), { minLength: n, maxLength: n }).map((v) => Tensor.fromNumbers(dtype, shape, v));
}

export const arbShape: fc.Arbitrary<number[]> = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 });

/** Ops with one or two same-shape f32 inputs that random graphs may use (those registered). */
const UNARY = ["Relu", "Sigmoid", "Tanh", "Neg", "Abs", "Exp", "Sqrt"];
const BINARY = ["Add", "Sub", "Mul", "Div"];

/**
 * A random, valid float graph: f32 inputs of one shape (possibly with a symbolic
 * leading dim), constants of several dtypes, a chain of elementwise ops.
 */
export function arbFloatGraph(opts: { maxNodes?: number } = {}): fc.Arbitrary<Graph> {
  const unary = UNARY.filter((o) => getOp(o));
  const binary = BINARY.filter((o) => getOp(o));
  return fc
    .record({
      shape: arbShape,
      symbolic: fc.boolean(),
      names: fc.uniqueArray(arbName, { minLength: 24, maxLength: 24 }),
      steps: fc.array(fc.record({ op: fc.constantFrom(...unary, ...binary), a: fc.nat(), b: fc.nat() }), { minLength: 1, maxLength: opts.maxNodes ?? 8 }),
      extra: fc.constantFrom<DType>("i8", "i64", "u4", "bool", "i32"),
    })
    .chain((r) =>
      fc.record({ r: fc.constant(r), w: arbTensor("f32", r.shape), e: arbTensor(r.extra, [3]) }),
    )
    .map(({ r, w, e }) => {
      const b = new GraphBuilder("g");
      const dims: Dim[] = r.symbolic && r.shape.length ? ["batch", ...r.shape.slice(1)] : r.shape;
      const pool: string[] = [b.input(r.names[0]!, "f32", dims), b.constant(r.names[1]!, w)];
      b.constant(r.names[2]!, e);
      r.steps.forEach((s, k) => {
        const a = pool[s.a % pool.length]!;
        const c = pool[s.b % pool.length]!;
        const ins = unary.includes(s.op) ? [a] : [a, c];
        pool.push(b.op1(s.op, ins, {}, { name: `n${k}`, outputs: [r.names[3 + k] ?? `v${k}`] }));
      });
      b.output(pool[pool.length - 1]!);
      return b.build();
    });
}
