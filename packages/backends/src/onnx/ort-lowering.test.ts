/**
 * fake_quant on onnxruntime equals the interpreter's kernel bit for bit: activations through
 * QuantizeLinear → DequantizeLinear, weights folded to the kernel's constant; int8/int4,
 * symmetric/asymmetric, per-tensor/per-channel/per-group, on inputs that sit on rounding
 * ties (k + 1/2 steps) and beyond the saturation limits.
 */
import { afterAll, describe, expect, it } from "vitest";
import { GraphBuilder, scaleIndex, Tensor, UnsupportedOpError, type Graph } from "@quantpass/ir";
import { CpuInterpreter } from "../cpu/interpreter.js";
import { OrtExecutor } from "./ort-executor.js";
import { lowerForOrt } from "./ort-lowering.js";
import { identical, randomTensor, relDiff } from "./quant/test-util.js";

const ex = new OrtExecutor({ threads: 1 });
const cpu = new CpuInterpreter();
afterAll(() => ex.dispose());

interface Case {
  readonly name: string;
  readonly storage: "i8" | "u8" | "i4" | "u4";
  readonly asym: boolean;
  readonly gran: "tensor" | "channel" | "group";
}

const B = 6, K = 40, N = 12, G = 16; // K = 40: the last group of 16 is partial

/** Parameters for a value [rows, cols] quantized along axis `axis` (channel) or in groups along it. */
function params(c: Case, shape: readonly number[], axis: number, seed: number): Record<string, number | string | number[]> {
  const [lo, hi] = { i8: [-128, 127], u8: [0, 255], i4: [-8, 7], u4: [0, 15] }[c.storage];
  const count = c.gran === "tensor" ? 1 : c.gran === "channel" ? shape[axis]! : shape.reduce((p, d, k) => p * (k === axis ? Math.ceil(d / G) : d), 1);
  const r = randomTensor([count], seed, 0.01, 0.2).toNumbers();
  const scale = r.map((v) => Math.fround(v));
  const zero_point = c.asym || c.storage[0] === "u" ? r.map((_, k) => Math.round(lo + ((hi - lo) * (k % 5 + 1)) / 6)) : [];
  return {
    storage: c.storage, scale, zero_point,
    ...(c.gran === "tensor" ? {} : { axis }),
    ...(c.gran === "group" ? { group_size: G } : {}),
  };
}

function graph(c: Case): Graph {
  const b = new GraphBuilder(`fq_${c.name}`, "fake-quant");
  const x = b.input("x", "f32", [B, K]); // static: per-group scales cover every row
  const w = b.constant("w", randomTensor([K, N], 3, -0.8, 0.8));
  const xq = b.op1("fake_quant", [x], params(c, [B, K], 1, 7), { name: "fq_x", outputs: ["xq"] });
  const wq = b.op1("fake_quant", [w], params(c, [K, N], c.gran === "group" ? 0 : 1, 9), { name: "fq_w", outputs: ["wq"] });
  b.op1("MatMul", [xq, wq], {}, { name: "mm", outputs: ["y"] });
  return b.output("y").build();
}

/**
 * Random inputs with every third element on an exact rounding tie of its own scale
 * (f32(x / s) = k + 1/2 for k in -3..3, even and odd), some zeros and some far beyond saturation.
 * Returns the inputs and how many exact ties they hold.
 */
function input(c: Case): { x: Tensor; ties: number } {
  const p = params(c, [B, K], 1, 7);
  const gran = c.gran === "tensor" ? { kind: "per-tensor" as const } : c.gran === "channel" ? { kind: "per-axis" as const, axis: 1 } : { kind: "per-group" as const, axis: 1, groupSize: G };
  const idx = scaleIndex(gran, [B, K]);
  const scale = p.scale as number[];
  const r = randomTensor([B * K], 5, -3, 3).toNumbers();
  let ties = 0;
  const x = r.map((v, i) => {
    if (i % 7 === 0) return 0;
    if (i % 11 === 0) return v * 100;
    if (i % 3 !== 0) return v;
    const s = scale[idx[i]!]!;
    const t = Math.fround(((i % 7) - 3 + 0.5) * s); // k in -3..3: inside every storage range

    if (Math.fround(t / s) % 1 === 0.5 || Math.fround(t / s) % 1 === -0.5) ties++;
    return t;
  });
  return { x: Tensor.f32([B, K], x), ties };
}

const CASES: Case[] = [];
for (const storage of ["i8", "u8", "i4", "u4"] as const)
  for (const asym of [false, true])
    for (const gran of ["tensor", "channel", "group"] as const)
      if (!(storage[0] === "u" && !asym)) CASES.push({ name: `${storage}_${asym ? "asym" : "sym"}_${gran}`, storage, asym, gran });

describe("OrtExecutor fake_quant", () => {
  it.each(CASES)("$name: activation and weight fake_quant bit for bit, MatMul within 1e-5", async (c) => {
    const g = graph(c);
    const { x, ties } = input(c);
    expect(ties).toBeGreaterThan(10);
    const feeds = { x };
    const fetch = ["xq", "wq"];
    const [o, r] = await Promise.all([ex.run(g, feeds, { fetch }), cpu.run(g, feeds, { fetch })]);
    expect(identical(o.xq!, r.xq!)).toBe(true);
    expect(identical(o.wq!, r.wq!)).toBe(true);
    expect(relDiff(o.y!, r.y!)).toBeLessThanOrEqual(1e-5);
  });

  it("lowers activations to QuantizeLinear/DequantizeLinear and folds weights (the float weight leaves the graph)", () => {
    const { graph: l } = lowerForOrt(graph({ name: "g", storage: "i4", asym: true, gran: "group" }));
    expect(l.nodes.map((n) => n.op)).toEqual(["QuantizeLinear", "DequantizeLinear", "MatMul"]);
    expect(l.nodes[0]!.attrs).toEqual({ axis: 1, block_size: G });
    expect(l.values[l.nodes[0]!.outputs[0]!]!.dtype).toBe("i4");
    expect(Object.keys(l.constants).sort()).toEqual(["fq_x_scale", "fq_x_zero_point", "wq"]);
  });

  it("int4 and per-group activations need opset 21; a folded int4 weight does not", async () => {
    const older = new OrtExecutor({ threads: 1, export: { opset: 17 } });
    try {
      const feeds = { x: input({ name: "", storage: "i8", asym: false, gran: "tensor" }).x };
      await expect(older.run(graph({ name: "a", storage: "i4", asym: false, gran: "channel" }), feeds)).rejects.toThrow(/needs opset 21/);
      await expect(older.run(graph({ name: "b", storage: "i8", asym: false, gran: "group" }), feeds)).rejects.toThrow(UnsupportedOpError);
      // Weight-only int4 (rtn-style): the weight folds, nothing int4 is left for the file.
      const b = new GraphBuilder("w4", "fake-quant");
      const x = b.input("x", "f32", ["b", K]);
      const wq = b.op1("fake_quant", [b.constant("w", randomTensor([K, N], 3))], params({ name: "", storage: "i4", asym: false, gran: "group" }, [K, N], 0, 9));
      b.op1("MatMul", [x, wq], {}, { outputs: ["y"] });
      const g = b.output("y").build();
      expect(relDiff((await older.run(g, feeds)).y!, (await cpu.run(g, feeds)).y!)).toBeLessThanOrEqual(1e-5);
    } finally {
      await older.dispose();
    }
  });
});

describe("lowerForOrt routing", () => {
  it("lowers int graphs once; a lowered (ONNX-op) int-stage graph is left as it is", async () => {
    const b = new GraphBuilder("q", "int");
    const x = b.input("x", "f32", [4]);
    b.op1("dequantize", [b.op1("quantize", [x], { storage: "i8", scale: [0.5] })], {}, { outputs: ["y"] });
    const int = b.output("y").build();
    const once = lowerForOrt(int);
    expect([once.graph.nodes.map((n) => n.op), once.opset]).toEqual([["QuantizeLinear", "DequantizeLinear"], 13]);
    expect(lowerForOrt(once.graph)).toEqual({ graph: once.graph });
  });
});
