/**
 * MatMulNBits (com.microsoft): a hand-packed model (odd block count, so the last zero-point
 * byte is half used; explicit and default zero points; bits 4 and 8; bias) read through the
 * frontend and run by the interpreter, against onnxruntime (within 1e-5 of the largest output)
 * and against a naive f64 reference of the documented layout. Bad inputs fail inference.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { encodeOnnx } from "@quantpass/formats";
import { Tensor, inferNode } from "@quantpass/ir";
import { lowerOnnx } from "@quantpass/frontends";
import { init, model, node, vinfo } from "@quantpass/frontends/onnx-build";
import { CpuInterpreter } from "../interpreter.js";
import { fromOrt, toOrt } from "../../onnx/ort-tensor.js";

const K = 40, N = 3, BS = 16, NB = 3;

function bytes(n: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 16) & 255);
}

function build(bits: 4 | 8, zeroPoints: boolean) {
  const blob = (BS * bits) / 8, zRow = Math.ceil((NB * bits) / 8);
  const B = bytes(N * NB * blob, 3 + bits);
  const S = Float32Array.from({ length: N * NB }, (_, i) => 0.01 * (i + 1));
  const Z = bytes(N * zRow, 5);
  const bias = Float32Array.of(0.5, -1, 0.25);
  const inits = [init("B", new Tensor("u8", [N, NB, blob], B)), init("S", new Tensor("f32", [N * NB], S)), init("bias", new Tensor("f32", [N], bias))];
  if (zeroPoints) inits.push(init("Z", new Tensor("u8", [N * zRow], Z)));
  const m = model({
    opset: 21, domains: { "com.microsoft": 1 },
    nodes: [node("MatMulNBits", ["A", "B", "S", zeroPoints ? "Z" : "", "", "bias"], ["Y"], { K, N, bits, block_size: BS, accuracy_level: 0 }, { domain: "com.microsoft" })],
    inputs: [vinfo("A", "f32", [2, K])], outputs: [vinfo("Y", "f32", [2, N])], initializers: inits,
  });
  // Naive reference: element j of block b of row n; zero point nibble b of row n (low first).
  const w = (n: number, k: number) => {
    const b = Math.floor(k / BS), j = k % BS, byte = B[(n * NB + b) * blob + (bits === 4 ? j >> 1 : j)]!;
    const q = bits === 4 ? (j & 1 ? byte >> 4 : byte & 15) : byte;
    const zb = Z[n * zRow + (bits === 4 ? b >> 1 : b)]!;
    const z = !zeroPoints ? 1 << (bits - 1) : bits === 4 ? (b & 1 ? zb >> 4 : zb & 15) : zb;
    return Math.fround((q - z) * S[n * NB + b]!);
  };
  return { m, w, bias };
}

describe("MatMulNBits kernel", () => {
  for (const [bits, zp] of [[4, true], [4, false], [8, true]] as const)
    it(`bits ${bits}, ${zp ? "packed" : "default"} zero points: frontend + interpreter match onnxruntime and the layout`, async () => {
      const { m, w, bias } = build(bits, zp);
      const a = Tensor.f32([2, K], Array.from({ length: 2 * K }, (_, i) => Math.sin(i) * 2));
      const g = lowerOnnx(m);
      const y = (await new CpuInterpreter().run(g, { A: a })).Y!.toF32();
      const s = await ort.InferenceSession.create(encodeOnnx(m), { graphOptimizationLevel: "basic", logSeverityLevel: 3 });
      const o = fromOrt((await s.run({ A: toOrt(a, "A") })).Y!, "Y").toF32();
      await s.release();
      const ref = Array.from({ length: 2 * N }, (_, i) => {
        const r = Math.floor(i / N), n = i % N;
        let acc = bias[n]!;
        for (let k = 0; k < K; k++) acc += a.get(r * K + k) * w(n, k);
        return acc;
      });
      const scale = Math.max(...ref.map(Math.abs));
      for (let i = 0; i < 2 * N; i++) {
        expect(Math.abs(y[i]! - o[i]!)).toBeLessThanOrEqual(1e-5 * scale);
        expect(Math.abs(y[i]! - ref[i]!)).toBeLessThanOrEqual(1e-5 * scale);
      }
    });

  it("inference rejects a wrong B shape, bits, block size and g_idx", () => {
    const types: Record<string, { dtype: "f32" | "u8" | "i32"; shape: number[] }> = {
      A: { dtype: "f32", shape: [2, K] }, B: { dtype: "u8", shape: [N, NB, 8] }, S: { dtype: "f32", shape: [N * NB] }, G: { dtype: "i32", shape: [K] },
      B2: { dtype: "u8", shape: [N, NB, 4] },
    };
    const run = (inputs: string[], attrs: Record<string, number>) =>
      inferNode({ name: "n", op: "MatMulNBits", inputs, outputs: ["Y"], attrs: { K, N, block_size: BS, ...attrs } }, (v) => types[v], () => undefined);
    expect(run(["A", "B", "S"], { bits: 4 })[0]).toEqual({ dtype: "f32", shape: [2, N] });
    expect(() => run(["A", "B2", "S"], { bits: 4 })).toThrow(/B must be u8 \[3,3,8\]/);
    expect(() => run(["A", "B", "S"], { bits: 3 })).toThrow(/bits must be 4 or 8/);
    expect(() => run(["A", "B", "S"], { bits: 4, block_size: 24 })).toThrow(/power of two/);
    expect(() => run(["A", "B", "S", "", "G"], { bits: 4 })).toThrow(/g_idx is not supported/);
  });

  it("the frontend takes MatMulNBits only from com.microsoft", () => {
    const { m } = build(4, false);
    const wrong = { ...m, graph: { ...m.graph, node: m.graph!.node!.map((n) => ({ ...n, domain: "" })) } };
    expect(() => lowerOnnx(wrong)).toThrow(/MatMulNBits' \(domain ai.onnx\) which quantpass does not support/);
  });
});
