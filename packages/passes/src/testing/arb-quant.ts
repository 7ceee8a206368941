/**
 * fast-check arbitraries of small quantizable float graphs for the PTQ property tests:
 * an MLP (MatMul / Gemm with transB and bias, optional Relu) or a Conv → Relu → Flatten →
 * Gemm/MatMul network. Weights come from a seeded generator (optionally with an all-zero
 * output channel, the zero-range case); inputs are [b, ...] with b symbolic.
 */
import fc from "fast-check";
import { GraphBuilder, Tensor, type Graph } from "@quantpass/ir";
import { uniform } from "./random.js";

interface Layer {
  readonly op: "MatMul" | "Gemm";
  readonly n: number;
  readonly transB: boolean;
  readonly bias: boolean;
  readonly relu: boolean;
}

const arbLayer: fc.Arbitrary<Layer> = fc.record({
  op: fc.constantFrom("MatMul" as const, "Gemm" as const),
  n: fc.integer({ min: 1, max: 6 }),
  transB: fc.boolean(),
  bias: fc.boolean(),
  relu: fc.boolean(),
});

function weight(shape: number[], seed: number, zeroAxis: number | undefined, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const t = Tensor.f32(shape, uniform(n, -scale, scale, seed));
  if (zeroAxis !== undefined) {
    // Zero the first slice along zeroAxis (an all-zero output channel).
    const inner = shape.slice(zeroAxis + 1).reduce((a, b) => a * b, 1);
    const len = shape[zeroAxis]!;
    for (let i = 0; i < n; i++) if (Math.floor(i / inner) % len === 0) (t.data as Float32Array)[i] = 0;
  }
  return t;
}

function addLayers(b: GraphBuilder, x: string, k: number, layers: readonly Layer[], seed: number, zeros: boolean): string {
  let v = x;
  layers.forEach((l, j) => {
    const s = seed * 31 + j;
    if (l.op === "MatMul") {
      const w = b.constant(`w${j}`, weight([k, l.n], s, zeros ? 1 : undefined));
      v = b.op1("MatMul", [v, w], {}, { name: `mm${j}` });
    } else {
      const w = b.constant(`w${j}`, weight(l.transB ? [l.n, k] : [k, l.n], s, zeros ? (l.transB ? 0 : 1) : undefined));
      const ins = [v, w];
      if (l.bias) ins.push(b.constant(`b${j}`, weight([l.n], s + 7, undefined, 0.5)));
      v = b.op1("Gemm", ins, l.transB ? { transB: 1 } : {}, { name: `gemm${j}` });
    }
    if (l.relu) v = b.op1("Relu", [v], {}, { name: `relu${j}` });
    k = l.n;
  });
  return v;
}

export interface GraphCase {
  readonly graph: Graph;
  readonly seed: number;
}

export function arbMlp(maxLayers = 3): fc.Arbitrary<GraphCase> {
  return fc
    .record({ k: fc.integer({ min: 1, max: 8 }), layers: fc.array(arbLayer, { minLength: 1, maxLength: maxLayers }), seed: fc.nat(1e6), zeros: fc.boolean() })
    .map(({ k, layers, seed, zeros }) => {
      const b = new GraphBuilder("mlp");
      const x = b.input("x", "f32", ["b", k]);
      b.output(addLayers(b, x, k, layers, seed, zeros));
      return { graph: b.build(), seed };
    });
}

export function arbConvNet(): fc.Arbitrary<GraphCase> {
  return fc
    .record({
      c: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 3, max: 5 }),
      m: fc.integer({ min: 1, max: 4 }),
      kernel: fc.constantFrom(1, 3),
      relu: fc.boolean(),
      head: arbLayer,
      seed: fc.nat(1e6),
      zeros: fc.boolean(),
    })
    .map(({ c, h, m, kernel, relu, head, seed, zeros }) => {
      const b = new GraphBuilder("convnet");
      const x = b.input("x", "f32", ["b", c, h, h]);
      const w = b.constant("k", weight([m, c, kernel, kernel], seed + 3, zeros ? 0 : undefined));
      const pad = (kernel - 1) / 2;
      let v = b.op1("Conv", [x, w, b.constant("kb", weight([m], seed + 5, undefined, 0.5))], { kernel_shape: [kernel, kernel], pads: [pad, pad, pad, pad] }, { name: "conv" });
      if (relu) v = b.op1("Relu", [v], {}, { name: "crelu" });
      v = b.op1("Flatten", [v], { axis: 1 }, { name: "flat" });
      b.output(addLayers(b, v, m * h * h, [head], seed, zeros));
      return { graph: b.build(), seed };
    });
}

export const arbQuantGraph: fc.Arbitrary<GraphCase> = fc.oneof(arbMlp(), arbConvNet());
