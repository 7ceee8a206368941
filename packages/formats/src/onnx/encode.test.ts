import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { normalize, PPOCR_REC, SILERO, scratchDir, testdata } from "../testdata.js";
import { makeAttr } from "./attr.js";
import { decodeOnnx, readOnnxFile } from "./decode.js";
import { encodeOnnx, writeOnnxFile } from "./encode.js";
import { onnx } from "./proto.js";
import { onnxTensorToRaw, rawToOnnxTensor } from "./tensor.js";

const tmp: (() => void)[] = [];
afterEach(() => tmp.splice(0).forEach((c) => c()));
const scratch = () => {
  const s = scratchDir();
  tmp.push(s.cleanup);
  return s.dir;
};

const f32 = (n: number, seed: number) => ({ dtype: "f32" as const, dims: [n], data: Float32Array.from({ length: n }, (_, i) => seed + i) });

/** A model with big and small initializers, a typed-field tensor and a subgraph tensor. */
function sample(): onnx.IModelProto {
  const sub: onnx.IGraphProto = { name: "then", initializer: [rawToOnnxTensor("sub_w", f32(600, 5))], node: [{ opType: "Identity", input: ["sub_w"], output: ["y"] }] };
  return {
    irVersion: 8,
    opsetImport: [{ version: 17 }],
    graph: {
      name: "g",
      initializer: [
        rawToOnnxTensor("big", f32(1000, 1)),
        rawToOnnxTensor("small", f32(3, 2)),
        { name: "typed", dataType: 1, dims: [300], floatData: Array.from({ length: 300 }, (_, i) => i * 0.5) },
        rawToOnnxTensor("names", { dtype: "string", dims: [1], data: ["x".repeat(5000)] }),
      ],
      node: [{ opType: "If", input: ["c"], output: ["y"], attribute: [makeAttr("then_branch", sub), makeAttr("value", f32(400, 9))] }],
    },
  };
}

describe("encodeOnnx", () => {
  it.each([
    ["fmnist-cnn", testdata("fmnist-cnn/model.onnx")],
    ["sotu-llama", testdata("sotu-llama/model.onnx")],
    ["silero-vad", SILERO],
    ["PP-OCRv4 rec", PPOCR_REC],
  ])("%s: decode → encode → decode keeps the structure, and encoding is deterministic", (_n, path) => {
    const m = decodeOnnx(new Uint8Array(readFileSync(path)));
    const bytes = encodeOnnx(m);
    const again = decodeOnnx(bytes);
    expect(normalize(again)).toEqual(normalize(m));
    expect(Buffer.from(encodeOnnx(again)).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(encodeOnnx(m)).equals(Buffer.from(bytes))).toBe(true);
  });

  it("gives the same bytes for the same model built with different key order", () => {
    const a: onnx.IModelProto = { irVersion: 8, producerName: "qp", graph: { name: "g", node: [{ opType: "Relu", input: ["x"], output: ["y"] }] } };
    const b: onnx.IModelProto = { graph: { node: [{ output: ["y"], input: ["x"], opType: "Relu" }], name: "g" }, producerName: "qp", irVersion: 8 };
    expect(Buffer.from(encodeOnnx(a)).equals(Buffer.from(encodeOnnx(b)))).toBe(true);
  });
});

describe("encodeOnnx with external data", () => {
  it("moves tensors of at least `threshold` bytes, in traversal order, back to back", () => {
    const dir = scratch();
    const model = sample();
    const before = normalize(model);
    const bytes = encodeOnnx(model, { externalDataFile: "weights.bin", baseDir: dir, threshold: 1024 });
    expect(normalize(model)).toEqual(before); // input untouched
    const stored = onnx.ModelProto.decode(bytes);
    const loc = (t: onnx.ITensorProto) => Object.fromEntries((t.externalData ?? []).map((e) => [e.key, e.value]));
    const [big, small, typed, names] = stored.graph!.initializer!;
    const attrs = stored.graph!.node![0].attribute!;
    expect(loc(big)).toEqual({ location: "weights.bin", offset: "0", length: "4000" });
    expect(loc(typed)).toEqual({ location: "weights.bin", offset: "4000", length: "1200" });
    expect(loc(attrs[0].g!.initializer![0])).toEqual({ location: "weights.bin", offset: "5200", length: "2400" });
    expect(loc(attrs[1].t!)).toEqual({ location: "weights.bin", offset: "7600", length: "1600" });
    expect([small.dataLocation ?? 0, names.dataLocation ?? 0]).toEqual([0, 0]);
    expect(statSync(join(dir, "weights.bin")).size).toBe(9200);

    const loaded = decodeOnnx(bytes, { baseDir: dir });
    const raws = (m: onnx.IModelProto) => [...m.graph!.initializer!, m.graph!.node![0].attribute![0].g!.initializer![0], m.graph!.node![0].attribute![1].t!].map((t) => onnxTensorToRaw(t));
    expect(raws(loaded)).toEqual(raws(model));
  });

  it("is deterministic and rejects an escaping file name", () => {
    const [d1, d2] = [scratch(), scratch()];
    const a = encodeOnnx(sample(), { externalDataFile: "w.bin", baseDir: d1 });
    const b = encodeOnnx(sample(), { externalDataFile: "w.bin", baseDir: d2 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(readFileSync(join(d1, "w.bin")).equals(readFileSync(join(d2, "w.bin")))).toBe(true);
    expect(() => encodeOnnx(sample(), { externalDataFile: "../w.bin", baseDir: d1 })).toThrow(/escapes/);
  });

  it("writeOnnxFile + readOnnxFile round-trip sotu-llama through external data", async () => {
    const dir = scratch();
    const m = await readOnnxFile(testdata("sotu-llama/model.onnx"));
    await writeOnnxFile(join(dir, "model.onnx"), m, { externalDataFile: "model.onnx.data" });
    expect(statSync(join(dir, "model.onnx")).size).toBeLessThan(200_000);
    expect(statSync(join(dir, "model.onnx.data")).size).toBeGreaterThan(3_000_000);
    const back = await readOnnxFile(join(dir, "model.onnx"));
    const raws = (x: onnx.IModelProto) => normalize(x.graph!.initializer!.map((t) => onnxTensorToRaw(t)));
    expect(raws(back)).toEqual(raws(m));
  });
});
