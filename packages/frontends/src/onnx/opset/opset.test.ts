import { describe, expect, it } from "vitest";
import { UnsupportedOpError, verify, type Graph } from "@quantpass/ir";
import { lowerOnnx } from "../lower.js";
import { model, node, vinfo, type AttrSpec } from "../onnx-build.js";

/** Lowers a one-node model (input x: f32 shape, outputs given) at an opset. */
function one(opset: number, op: string, attrs: Record<string, AttrSpec>, shape: number[], outputs = ["y"], extraInputs: string[] = []): Graph {
  const g = lowerOnnx(model({
    opset,
    nodes: [node(op, ["x", ...extraInputs], outputs, attrs, { name: "n" })],
    inputs: [vinfo("x", "f32", shape)],
    outputs: outputs.map((o) => vinfo(o, "f32", null)),
  }));
  verify(g);
  return g;
}

const consts = (g: Graph, n: number) => g.nodes[n]!.inputs.map((i) => (i && g.constants[i] ? g.constants[i]!.toNumbers() : i));

describe("opset normalisation into the newest form", () => {
  it("moves Reduce axes attributes to inputs (ReduceMean < 18, ReduceSum < 13)", () => {
    const g = one(13, "ReduceMean", { axes: [1], keepdims: 0 }, [2, 3, 4]);
    expect(g.nodes[0]!.op).toBe("ReduceMean");
    expect(consts(g, 0)).toEqual(["x", [1]]);
    expect(g.nodes[0]!.attrs).toEqual({ keepdims: 0 });
    expect(g.values.y!.shape).toEqual([2, 4]);
    expect(consts(one(11, "ReduceSum", { axes: [0, 2] }, [2, 3, 4]), 0)).toEqual(["x", [0, 2]]);
    expect(one(17, "ReduceMax", {}, [2, 3]).nodes[0]!.inputs).toEqual(["x"]);
  });

  it("moves Squeeze/Unsqueeze axes and Split sizes to inputs (< 13), and sets num_outputs (< 18)", () => {
    expect(consts(one(11, "Squeeze", { axes: [1] }, [2, 1, 3]), 0)).toEqual(["x", [1]]);
    expect(one(11, "Unsqueeze", { axes: [0] }, [2]).values.y!.shape).toEqual([1, 2]);
    const s = one(11, "Split", { axis: 1, split: [1, 3] }, [2, 4], ["a", "b"]);
    expect(consts(s, 0)).toEqual(["x", [1, 3]]);
    expect(s.values.b!.shape).toEqual([2, 3]);
    const eq = one(13, "Split", { axis: 0 }, [4, 2], ["a", "b"]);
    expect(eq.nodes[0]!.attrs).toEqual({ axis: 0, num_outputs: 2 });
  });

  it("moves Slice (< 10), TopK k (< 10), Clip and Pad (< 11) and Dropout ratio (< 12) attributes to inputs", () => {
    expect(consts(one(9, "Slice", { starts: [1], ends: [3], axes: [1] }, [2, 4]), 0)).toEqual(["x", [1], [3], [1]]);
    expect(consts(one(9, "TopK", { k: 2 }, [2, 5], ["v", "i"]), 0)).toEqual(["x", [2]]);
    expect(consts(one(10, "Clip", { min: { value: -1, kind: "float" }, max: { value: 2, kind: "float" } }, [3]), 0)).toEqual(["x", [-1], [2]]);
    expect(consts(one(10, "Clip", { max: { value: 2, kind: "float" } }, [3]), 0)).toEqual(["x", "", [2]]);
    const p = one(10, "Pad", { pads: [0, 1, 0, 2], value: { value: 1.5, kind: "float" } }, [2, 3]);
    expect(consts(p, 0)).toEqual(["x", [0, 1, 0, 2], [1.5]]);
    expect(p.values.y!.shape).toEqual([2, 6]);
    expect(consts(one(10, "Dropout", { ratio: { value: 0.25, kind: "float" } }, [3]), 0)).toEqual(["x", [0.25]]);
  });

  it("lowers coerce-to-2D Softmax (< 13) as Flatten, Softmax(axis=-1), Reshape unless the axis is last", () => {
    const g = one(11, "Softmax", { axis: 1 }, [2, 3, 4]);
    expect(g.nodes.map((n) => n.op)).toEqual(["Flatten", "Softmax", "Reshape"]);
    expect(g.nodes[1]!.attrs).toEqual({ axis: -1 });
    expect(g.values.y!.shape).toEqual([2, 3, 4]);
    const last = one(11, "LogSoftmax", { axis: 2 }, [2, 3, 4]);
    expect(last.nodes.map((n) => [n.op, n.attrs])).toEqual([["LogSoftmax", { axis: -1 }]]);
    expect(one(12, "Hardmax", {}, [2, 3]).nodes.map((n) => [n.op, n.attrs])).toEqual([["Hardmax", { axis: -1 }]]);
  });

  it("turns Upsample (9) and Resize-10 into Resize with asymmetric coordinates", () => {
    const g = lowerOnnx(model({
      opset: 9,
      nodes: [node("Constant", [], ["s"], { value: { dtype: "f32", dims: [4], data: Float32Array.of(1, 1, 2, 3) } }), node("Upsample", ["x", "s"], ["y"], { mode: "nearest" })],
      inputs: [vinfo("x", "f32", [1, 1, 2, 2])],
      outputs: [vinfo("y", "f32", null)],
    }));
    expect(g.nodes.map((n) => [n.op, n.inputs.length, n.attrs])).toEqual([
      ["Resize", 3, { mode: "nearest", coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" }],
    ]);
    expect(g.values.y!.shape).toEqual([1, 1, 4, 6]);
  });

  it("renames Scatter (< 11) and drops legacy BatchNormalization attributes, rejecting training forms", () => {
    const sc = lowerOnnx(model({
      opset: 10,
      nodes: [node("Scatter", ["x", "i", "u"], ["y"], { axis: 0 })],
      inputs: [vinfo("x", "f32", [3]), vinfo("i", "i64", [1]), vinfo("u", "f32", [1])],
      outputs: [vinfo("y", "f32", [3])],
    }));
    expect(sc.nodes[0]!.op).toBe("ScatterElements");
    const bn = (attrs: Record<string, AttrSpec>, outs: string[]) => model({
      opset: 9,
      nodes: [node("BatchNormalization", ["x", "s", "b", "m", "v"], outs, attrs, { name: "bn" })],
      inputs: ["x", "s", "b", "m", "v"].map((n) => vinfo(n, "f32", n === "x" ? [1, 2, 3] : [2])),
      outputs: [vinfo("y", "f32", null)],
    });
    expect(lowerOnnx(bn({ epsilon: { value: 1e-3, kind: "float" } }, ["y"])).nodes[0]!.attrs).toEqual({ epsilon: 1e-3 });
    expect(() => lowerOnnx(bn({ spatial: 0 }, ["y"]))).toThrow(UnsupportedOpError);
    expect(() => lowerOnnx(bn({}, ["y", "m2", "v2"]), { file: "bn.onnx" })).toThrow("bn.onnx: node 'bn' (BatchNormalization): training-mode");
  });
});
