import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { decodeOnnx, onnx } from "@quantpass/formats";
import { GraphBuilder, Tensor, UnsupportedOpError, UserError, type Graph } from "@quantpass/ir";
import { exportOnnx, exportOnnxBytes, saveOnnx } from "./export.js";
import { fromOrt, toOrt } from "./ort-tensor.js";
import { maxAbsDiff, rng } from "./test-models.js";

const i64 = (v: number[]) => new Tensor("i64", [v.length], BigInt64Array.from(v, BigInt));

/** A graph in the IR's newest forms that older opsets spell differently. */
function newestForms(): Graph {
  const b = new GraphBuilder("newest");
  const x = b.input("x", "f32", ["batch", 6, 4]);
  const m = b.op1("ReduceMean", [x, b.constant("axes", i64([2]))], { keepdims: 1 });
  const [s0, s1, s2] = b.op("Split", [m], { axis: 1, num_outputs: 3 }, { outputs: 3 });
  const sq = b.op1("Squeeze", [s1!, b.constant("sq_axes", i64([2]))]);
  const un = b.op1("Unsqueeze", [sq, b.constant("un_axes", i64([0]))]);
  const p = b.op1("Pad", [x, b.constant("pads", i64([1, 2])), "", b.constant("pad_axes", i64([-1]))], { mode: "constant" });
  const sh = b.op1("Shape", [p], { start: 1 });
  const rs = b.op1("ReduceSum", [p, b.constant("rs_axes", i64([1, 2]))], { keepdims: 0 });
  const sm = b.op1("Softmax", [x], { axis: 1 });
  const lse = b.op1("ReduceLogSumExp", [s2!], { noop_with_empty_axes: 1 });
  b.output(s0!, un, p, sh, rs, sm, lse);
  return b.build();
}

async function run(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "basic", logSeverityLevel: 3 });
  try {
    const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrt(t, k)])));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v, k)]));
  } finally {
    await s.release();
  }
}

const dir = mkdtempSync(join(tmpdir(), "qp-onnx-export-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("exportOnnx", () => {
  it("writes every target opset 13..21 so that onnxruntime gives the same outputs", async () => {
    const g = newestForms();
    const r = rng(3);
    const feeds = { x: Tensor.f32([2, 6, 4], Array.from({ length: 48 }, () => r() * 2 - 1)) };
    const ref = await run(exportOnnxBytes(g, { opset: 21 }), feeds);
    expect(ref[g.outputs[3]!]!.toNumbers()).toEqual([6, 7]);
    for (let opset = 13; opset <= 20; opset++) {
      const got = await run(exportOnnxBytes(g, { opset }), feeds);
      for (const o of g.outputs) {
        expect(got[o]!.shape, `${o} at opset ${opset}`).toEqual(ref[o]!.shape);
        expect(maxAbsDiff(got[o]!, ref[o]!), `${o} at opset ${opset}`).toBe(0);
      }
    }
    const old = exportOnnx(g, { opset: 13 }).graph!.node!;
    const mean = old.find((n) => n.opType === "ReduceMean")!;
    expect(mean.input).toEqual(["x"]);
    expect(mean.attribute!.map((a) => a.name)).toEqual(["axes", "keepdims"]);
    expect(old.find((n) => n.opType === "Split")!.attribute!.map((a) => a.name)).toEqual(["axis"]); // num_outputs dropped
    expect(old.find((n) => n.opType === "Pad")!.input).toHaveLength(2); // axes folded into full-rank pads
    expect(old.filter((n) => n.opType === "Slice")).toHaveLength(1); // Shape{start} → Shape + Slice
    expect(old.find((n) => n.opType === "Identity")).toBeDefined(); // noop_with_empty_axes=1
  });

  it("is deterministic and writes types: symbols as dim_param, '?' as an empty dim, attributes by schema kind", () => {
    const b = new GraphBuilder("types");
    const x = b.input("x", "f32", ["batch", "?", 3]);
    const y = b.op1("LeakyRelu", [x], { alpha: 1 });
    b.output(y);
    const g = b.build();
    const bytes = exportOnnxBytes(g);
    expect(Buffer.from(exportOnnxBytes(g)).equals(Buffer.from(bytes))).toBe(true);
    const m = decodeOnnx(bytes);
    expect(m.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([["", 21]]);
    expect(Number(m.irVersion)).toBe(10);
    const dims = m.graph!.input![0]!.type!.tensorType!.shape!.dim!;
    expect(dims.map((d) => [d.dimParam ?? null, d.dimValue === null || d.dimValue === undefined ? null : Number(d.dimValue)])).toEqual([["batch", null], [null, null], [null, 3]]);
    const alpha = m.graph!.node![0]!.attribute![0]!;
    expect([alpha.name, alpha.type, alpha.f]).toEqual(["alpha", onnx.AttributeProto.AttributeType.FLOAT, 1]);
  });

  it("writes constants as raw_data initializers", () => {
    const b = new GraphBuilder("c");
    const x = b.input("x", "f32", [2]);
    b.output(b.op1("Add", [x, b.constant("w", Tensor.f32([2], [0.5, -1]))]));
    const init = exportOnnx(b.build()).graph!.initializer!;
    expect(init.map((t) => [t.name, t.dataType, t.dims])).toEqual([["w", 1, [2]]]);
    expect(Array.from(new Float32Array(Uint8Array.from(init[0]!.rawData!).buffer))).toEqual([0.5, -1]);
  });

  it("passes outer values through Identity when an If branch outputs them", async () => {
    const b = new GraphBuilder("main");
    const c = b.input("c", "bool", []);
    const x = b.input("x", "f32", [2]);
    const then = new GraphBuilder("then", "float", (n) => b.typeOf(n));
    then.output(x);
    const other = new GraphBuilder("else", "float", (n) => b.typeOf(n));
    other.output(other.op1("Neg", [x]));
    b.output(b.op1("If", [c], { then_branch: then.build(), else_branch: other.build() }));
    const g = b.build();
    const x0 = Tensor.f32([2], [1, -2]);
    for (const [cond, want] of [[1, [1, -2]], [0, [-1, 2]]] as const) {
      const out = await run(exportOnnxBytes(g), { c: new Tensor("bool", [], Uint8Array.of(cond)), x: x0 });
      expect(out[g.outputs[0]!]!.toNumbers()).toEqual(want);
    }
  });

  it("fails clearly for what a target opset cannot express", () => {
    const ln = new GraphBuilder("ln");
    const x = ln.input("x", "f32", [2, 4]);
    ln.output(ln.op1("LayerNormalization", [x, ln.constant("s", Tensor.f32([4], [1, 1, 1, 1]))], { axis: -1 }, { name: "norm" }));
    const g = ln.build();
    expect(() => exportOnnx(g, { opset: 16 })).toThrow(UnsupportedOpError);
    expect(() => exportOnnx(g, { opset: 16 })).toThrow("onnx export: node 'norm' (LayerNormalization) cannot be written for opset 16: LayerNormalization needs opset 17 or newer");
    expect(() => exportOnnx(g, { opset: 17 })).not.toThrow();
    for (const opset of [12, 22, 13.5]) expect(() => exportOnnx(g, { opset })).toThrow(UserError);

    const q = new GraphBuilder("i4");
    const y = q.input("y", "f32", [2]);
    q.output(q.op1("Add", [y, q.constant("w", Tensor.f32([2], [1, 2]))]));
    const gq = q.build();
    const i4 = { ...gq, constants: { ...gq.constants, packed: new Tensor("i4", [2], Uint8Array.of(0x21)) }, values: { ...gq.values, packed: { dtype: "i4" as const, shape: [2] } } };
    expect(() => exportOnnx(i4, { opset: 20 })).toThrow("onnx export: 'packed' is i4, which needs opset 21");
    expect(() => exportOnnx(i4, { opset: 21 })).not.toThrow();
  });

  it("saves atomically: the file appears complete and no temp file is left", async () => {
    const g = newestForms();
    const path = join(dir, "model.onnx");
    await saveOnnx(g, path, { opset: 17 });
    await saveOnnx(g, path, { opset: 17 });
    expect(readdirSync(dir)).toEqual(["model.onnx"]);
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(exportOnnxBytes(g, { opset: 17 })))).toBe(true);
  });
});
