import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import { PPOCR_REC, SILERO, scratchDir, testdata } from "../testdata.js";
import { attrValue } from "./attr.js";
import { decodeOnnx, readOnnxFile } from "./decode.js";
import { encodeOnnx } from "./encode.js";
import { onnx } from "./proto.js";
import { onnxTensorToRaw, rawToOnnxTensor } from "./tensor.js";

/** Converts every initializer and attribute (recursively); returns counts. */
function convertAll(g: onnx.IGraphProto, acc = { tensors: 0, elems: 0, attrs: 0 }) {
  for (const t of g.initializer ?? []) {
    const r = onnxTensorToRaw(t);
    acc.tensors++;
    acc.elems += r.dims.reduce((a, b) => a * b, 1);
  }
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      const v = attrValue(a);
      acc.attrs++;
      if (a.type === onnx.AttributeProto.AttributeType.GRAPH) convertAll(v as onnx.IGraphProto, acc);
    }
  }
  return acc;
}

const tmp: (() => void)[] = [];
afterEach(() => tmp.splice(0).forEach((c) => c()));

describe("decodeOnnx on real models", () => {
  it.each([
    ["fmnist-cnn", testdata("fmnist-cnn/model.onnx"), 13, 10, 8],
    ["sotu-llama", testdata("sotu-llama/model.onnx"), 17, 790, 42],
    ["silero-vad", SILERO, 18, 4, 45],
    ["PP-OCRv4 rec", PPOCR_REC, 9, 765, 0],
  ])("%s decodes, with every tensor and attribute readable", async (_name, path, opset, nodes, inits) => {
    const m = await readOnnxFile(path);
    expect(Number(m.opsetImport![0].version)).toBe(opset);
    expect(m.graph!.node!.length).toBe(nodes);
    expect(m.graph!.initializer!.length).toBe(inits);
    const counts = convertAll(m.graph!);
    expect(counts.attrs).toBeGreaterThan(0);
  });

  it("fmnist-cnn has its 206,922 parameters as f32 initializers", async () => {
    const m = await readOnnxFile(testdata("fmnist-cnn/model.onnx"));
    expect(convertAll(m.graph!).elems).toBe(206_922);
    expect(m.graph!.input![0].name).toBe("x");
    expect(m.graph!.output![0].name).toBe("logits");
  });
});

describe("decodeOnnx errors", () => {
  const fmnist = new Uint8Array(readFileSync(testdata("fmnist-cnn/model.onnx")));
  const err = (f: () => unknown): FormatError => {
    try { f(); } catch (e) { expect(e).toBeInstanceOf(FormatError); return e as FormatError; }
    throw new Error("expected a FormatError");
  };

  it("names the file and the problem", () => {
    expect(err(() => decodeOnnx(new Uint8Array(0), { file: "m.onnx" })).message).toBe("m.onnx: empty file, not an ONNX model");
    expect(err(() => decodeOnnx(fmnist.subarray(0, 5000), { file: "model.onnx" })).message).toMatch(/^model\.onnx: truncated protobuf at byte \d+ \(a field needs \d+ bytes, \d+ remain\)$/);
    expect(err(() => decodeOnnx(onnx.ModelProto.encode({ irVersion: 8 }).finish())).message).toMatch(/no graph/);
    expect(err(() => decodeOnnx(new TextEncoder().encode('{"not": "onnx"}'))).message).toMatch(/protobuf|no graph/);
    expect(err(() => decodeOnnx(readFileSync(testdata("sotu-llama/model.safetensors")), { file: "w.safetensors" })).file).toBe("w.safetensors");
  });

  it("readOnnxFile reports unreadable files", async () => {
    await expect(readOnnxFile("/nonexistent/m.onnx")).rejects.toThrow(new FormatError("cannot read: ENOENT", "/nonexistent/m.onnx"));
  });
});

describe("external data", () => {
  const w = { dtype: "f32" as const, dims: [4, 256], data: Float32Array.from({ length: 1024 }, (_, i) => i / 7) };
  const model = (t: onnx.ITensorProto): onnx.IModelProto => ({ irVersion: 8, opsetImport: [{ version: 17 }], graph: { name: "g", initializer: [t] } });
  const external = (extra: Record<string, string>, location = "w.bin") =>
    model({ ...rawToOnnxTensor("w", w), rawData: null, dataLocation: 1, externalData: Object.entries({ location, ...extra }).map(([key, value]) => ({ key, value })) });

  it("loads tensors from the side file at offset/length", () => {
    const { dir, cleanup } = scratchDir();
    tmp.push(cleanup);
    const bytes = new Uint8Array(w.data.buffer);
    writeFileSync(join(dir, "w.bin"), Buffer.concat([Buffer.alloc(16, 9), bytes]));
    const m = decodeOnnx(encodeOnnx(external({ offset: "16", length: String(bytes.length) })), { baseDir: dir });
    const t = m.graph!.initializer![0];
    expect(onnxTensorToRaw(t)).toEqual(w);
    expect(t.dataLocation ?? 0).toBe(0);
    // without length: the size implied by dims and dtype
    expect(onnxTensorToRaw(decodeOnnx(encodeOnnx(external({ offset: "16" })), { baseDir: dir }).graph!.initializer![0])).toEqual(w);
  });

  it("rejects missing, short and escaping files and a missing baseDir", () => {
    const { dir, cleanup } = scratchDir();
    tmp.push(cleanup);
    const enc = (extra: Record<string, string>, loc?: string) => encodeOnnx(external(extra, loc));
    expect(() => decodeOnnx(enc({}), { baseDir: dir, file: "m.onnx" })).toThrow(/^m\.onnx: tensor 'w': cannot open external data file .*w\.bin: ENOENT$/);
    writeFileSync(join(dir, "w.bin"), new Uint8Array(4096));
    truncateSync(join(dir, "w.bin"), 1000);
    expect(() => decodeOnnx(enc({}), { baseDir: dir })).toThrow(/w\.bin is 1000 bytes, tensor needs bytes 0\.\.4096/);
    expect(() => decodeOnnx(enc({ offset: "2000" }), { baseDir: dir })).toThrow(/offset 2000 is past the end/);
    expect(() => decodeOnnx(enc({ offset: "-1" }), { baseDir: dir })).toThrow(/offset '-1' is not a non-negative integer/);
    expect(() => decodeOnnx(enc({}, "../w.bin"), { baseDir: dir })).toThrow(/tensor 'w': location '\.\.\/w\.bin' escapes /);
    expect(() => decodeOnnx(enc({}, "/etc/passwd"), { baseDir: dir })).toThrow(/location '\/etc\/passwd' is not a relative path/);
    expect(() => decodeOnnx(enc({}))).toThrow(/has external data but no baseDir was given/);
  });
});

describe("deeply nested models", () => {
  /** A model whose graph nests `depth` subgraphs (graph.node[0].attribute[0].g, repeated). */
  function nested(depth: number): Uint8Array {
    const varintLen = (v: number) => (v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : 4);
    // Inside out: each level wraps the previous graph in attribute field 6, node field 5, graph field 1.
    const headers: [number, number][] = [];
    let len = 0;
    for (let i = 0; i < depth; i++) {
      for (const field of [6, 5, 1]) {
        headers.push([field, len]);
        len += 1 + varintLen(len);
      }
    }
    headers.push([7, len]); // model.graph
    const out: number[] = [];
    for (const [field, l] of headers.reverse()) {
      out.push((field << 3) | 2);
      for (let v = l; ; v >>>= 7) {
        if (v < 0x80) { out.push(v); break; }
        out.push((v & 0x7f) | 0x80);
      }
    }
    return Uint8Array.from(out);
  }

  it("rejects subgraph nesting beyond the limit and stack-overflowing nesting alike", () => {
    expect(decodeOnnx(nested(10)).graph!.node!.length).toBe(1);
    expect(() => decodeOnnx(nested(100), { file: "m.onnx" })).toThrow(/^m\.onnx: subgraphs nested deeper than 64$/);
    expect(() => decodeOnnx(nested(100_000), { file: "m.onnx" })).toThrow(new FormatError("protobuf nested too deeply", "m.onnx"));
  });
});
