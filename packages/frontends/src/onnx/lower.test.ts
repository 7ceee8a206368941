import { describe, expect, it } from "vitest";
import { Tensor, UnsupportedOpError, UserError, verify, type Graph } from "@quantpass/ir";
import { UnsupportedOpsetError } from "./errors.js";
import { lowerOnnx } from "./lower.js";
import { graphProto, init, model, node, vinfo } from "./onnx-build.js";

const f32 = (shape: number[], v: number[]) => Tensor.f32(shape, v);

describe("lowerOnnx", () => {
  it("turns initializers (also those listed as inputs) into constants and keeps the rest as inputs", () => {
    const g = lowerOnnx(model({
      opset: 17,
      nodes: [node("Add", ["x", "w"], ["y"])],
      inputs: [vinfo("x", "f32", ["batch", 3]), vinfo("w", "f32", [3])],
      outputs: [vinfo("y", "f32", ["batch", 3])],
      initializers: [init("w", f32([3], [1, 2, 3]))],
    }), { file: "m.onnx" });
    verify(g);
    expect(g.inputs).toEqual(["x"]);
    expect(g.constants.w!.toNumbers()).toEqual([1, 2, 3]);
    expect(g.values.x).toEqual({ dtype: "f32", shape: ["batch", 3] });
    expect(g.values.y).toEqual({ dtype: "f32", shape: ["batch", 3] });
    expect(g.meta).toMatchObject({ source: "onnx", file: "m.onnx", "opset.ai.onnx": "17", producer: "test 1" });
  });

  it("lowers every Constant form to a typed graph constant", () => {
    const forms: [string, unknown, string, number[], unknown[]][] = [
      ["value", f32([2], [1.5, 2]), "f32", [2], [1.5, 2]],
      ["value_float", 0.25, "f32", [], [0.25]],
      ["value_floats", [0.5, 1], "f32", [2], [0.5, 1]],
      ["value_int", 7, "i64", [], [7n]],
      ["value_ints", [1, -2], "i64", [2], [1n, -2n]],
      ["value_string", "hi", "string", [], ["hi"]],
      ["value_strings", ["a", "b"], "string", [2], ["a", "b"]],
    ];
    for (const [attr, v, dtype, shape, data] of forms) {
      const spec = attr === "value_floats" ? { value: v as number[], kind: "floats" as const } : attr === "value_float" ? { value: v as number, kind: "float" as const } : (v as never);
      const g = lowerOnnx(model({
        opset: 13,
        nodes: [node("Constant", [], ["c"], { [attr]: spec }), node("Identity", ["c"], ["y"])],
        inputs: [],
        outputs: [vinfo("y", dtype as "f32", null)],
      }));
      const c = g.constants.c!;
      expect([attr, c.dtype, c.shape]).toEqual([attr, dtype, shape]);
      expect(Array.from(c.data as ArrayLike<unknown>)).toEqual(data);
      expect(g.nodes.map((n) => n.op)).toEqual(["Identity"]);
    }
  });

  it("maps dim_param to symbols and missing dims to '?', and uses value_info where inference knows less", () => {
    const g = lowerOnnx(model({
      opset: 14,
      nodes: [node("Reshape", ["x", "s"], ["y"]), node("Relu", ["y"], ["z"])],
      inputs: [vinfo("x", "f32", ["n", null, 4]), vinfo("s", "i64", [2])],
      outputs: [vinfo("z", "f32", null)],
      valueInfo: [vinfo("y", "f32", ["rows", 4])],
    }));
    verify(g);
    expect(g.values.x!.shape).toEqual(["n", "?", 4]);
    expect(g.values.y!.shape).toEqual(["rows", 4]);
    expect(g.values.z!.shape).toEqual(["rows", 4]);
  });

  it("names the file, node, op and domain of an unknown op", () => {
    const m = model({ opset: 17, nodes: [node("Bar", ["x"], ["y"], {}, { name: "foo" })], inputs: [vinfo("x", "f32", [1])], outputs: [vinfo("y", "f32", [1])] });
    expect(() => lowerOnnx(m, { file: "model.onnx" })).toThrow(UnsupportedOpError);
    expect(() => lowerOnnx(m, { file: "model.onnx" })).toThrow("model.onnx: node 'foo' uses op 'Bar' (domain ai.onnx) which quantpass does not support");
    const ms = model({ opset: 17, domains: { "com.microsoft": 1 }, nodes: [node("FusedGemm", ["x"], ["y"], {}, { name: "g1", domain: "com.microsoft" })], inputs: [vinfo("x", "f32", [1])], outputs: [vinfo("y", "f32", [1])] });
    expect(() => lowerOnnx(ms, { file: "m.onnx" })).toThrow("m.onnx: node 'g1' uses op 'FusedGemm' (domain com.microsoft) which quantpass does not support");
  });

  it("rejects attributes the op table does not know", () => {
    const m = model({ opset: 17, nodes: [node("Relu", ["x"], ["y"], { bogus: 1 }, { name: "r" })], inputs: [vinfo("x", "f32", [1])], outputs: [vinfo("y", "f32", [1])] });
    expect(() => lowerOnnx(m, { file: "m.onnx" })).toThrow(/m\.onnx: node 'r' \(Relu\): attribute 'bogus' is not supported/);
  });

  it("rejects opsets outside 9..21 with a clear error", () => {
    for (const opset of [8, 22]) {
      const m = model({ opset, nodes: [node("Relu", ["x"], ["y"])], inputs: [vinfo("x", "f32", [1])], outputs: [vinfo("y", "f32", [1])] });
      const err = (() => { try { lowerOnnx(m, { file: "old.onnx" }); } catch (e) { return e; } })();
      expect(err).toBeInstanceOf(UnsupportedOpsetError);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toBe(`old.onnx: ai.onnx opset ${opset} is not supported (quantpass reads opsets 9 to 21)`);
    }
  });

  it("lowers If branches recursively with the outer scope visible", () => {
    const branch = (op: string) => graphProto({ nodes: [node(op, ["x", "w"], ["r"])], inputs: [], outputs: [vinfo("r", "f32", [2])] });
    const g = lowerOnnx(model({
      opset: 17,
      nodes: [node("If", ["c"], ["y"], { then_branch: branch("Add"), else_branch: branch("Sub") }, { name: "if" })],
      inputs: [vinfo("c", "bool", []), vinfo("x", "f32", [2])],
      outputs: [vinfo("y", "f32", [2])],
      initializers: [init("w", f32([2], [1, 1]))],
    }));
    verify(g);
    const then = g.nodes[0]!.attrs.then_branch as Graph;
    expect(then.nodes.map((n) => [n.op, n.inputs])).toEqual([["Add", ["x", "w"]]]);
    expect(then.outputs).toEqual(["r"]);
  });

  it("orders nodes topologically and makes empty or repeated node names unique", () => {
    const g = lowerOnnx(model({
      opset: 17,
      nodes: [node("Relu", ["a"], ["b"], {}, { name: "n" }), node("Neg", ["x"], ["a"], {}, { name: "" }), node("Abs", ["b"], ["y"], {}, { name: "n" })],
      inputs: [vinfo("x", "f32", [2])],
      outputs: [vinfo("y", "f32", [2])],
    }));
    verify(g);
    expect(g.nodes.map((n) => [n.op, n.name])).toEqual([["Neg", "Neg_0"], ["Relu", "n"], ["Abs", "n_1"]]);
  });

  it("folds static shape arithmetic so Reshape gets a constant shape", () => {
    const m = model({
      opset: 17,
      nodes: [
        node("Shape", ["x"], ["s"]),
        node("Size", ["s"], ["r"]),
        node("Sub", ["r", "one"], ["k"]),
        node("Unsqueeze", ["k", "zero"], ["k1"]),
        node("Concat", ["k1", "minus1"], ["shape"], { axis: 0 }),
        node("Reshape", ["x", "shape"], ["y"]),
      ],
      inputs: [vinfo("x", "f32", [2, 3, 4])],
      outputs: [vinfo("y", "f32", null)],
      initializers: [init("one", new Tensor("i64", [], BigInt64Array.of(1n))), init("zero", new Tensor("i64", [1], BigInt64Array.of(0n))), init("minus1", new Tensor("i64", [1], BigInt64Array.of(-1n)))],
    });
    const g = lowerOnnx(m);
    verify(g);
    expect(g.nodes.map((n) => n.op)).toEqual(["Reshape"]);
    expect(g.constants.shape!.toNumbers()).toEqual([2, -1]);
    expect(g.values.y!.shape).toEqual([2, 12]);
    const unfolded = lowerOnnx(m, { fold: false });
    expect(unfolded.nodes.map((n) => n.op)).toEqual(["Shape", "Size", "Sub", "Unsqueeze", "Concat", "Reshape"]);
  });

  it("reports a node reading an undefined value", () => {
    const m = model({ opset: 17, nodes: [node("Relu", ["nope"], ["y"], {}, { name: "r" })], inputs: [], outputs: [vinfo("y", "f32", [1])] });
    expect(() => lowerOnnx(m, { file: "m.onnx" })).toThrow("m.onnx: node 'r' (Relu) reads 'nope', which is not defined");
  });
});
