import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FormatError, openSafetensors, writeSafetensors } from "@quantpass/formats";
import { parseGraph, printGraph, Tensor, UserError, verify, type Graph } from "@quantpass/ir";
import { CpuInterpreter } from "../cpu/interpreter.js";
import { loadQuantizedCheckpoint, readQuantizedCheckpointConfig, saveQuantizedCheckpoint } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "quantpass-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cpu = new CpuInterpreter();

/**
 * An int graph with every kind of entry: i8 per-axis and u8 asymmetric per-tensor weights,
 * an i4 per-group weight, an odd-sized i4 constant, plain f32 and i64 constants and an
 * asymmetric static activation (4-bit data in hex: the text parser's list form does not
 * pack int4). `p` makes the deploy-mode twin: same structure, placeholder
 * parameters and integers.
 */
function intGraph(p = false): Graph {
  const s = (real: string, placeholder: string) => (p ? placeholder : real);
  return parseGraph(`graph @g stage=int {
  input %x : f32[b,4]
  const %w : i8[4,3]!quant<f32, per-axis(1), scale=[${s("0.02, 0.1, 0.05", "1, 1, 1")}]> = dense<[${s("1, -2, 3, 4, 5, -6, 7, 8, 9, 10, -11, 127", "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0")}]>
  const %w4 : i4[4,3]!quant<f32, per-group(0,32), scale=[${s("0.5, 0.25, 1", "1, 1, 1")}]> = dense<${s("0xe1c3a5871032", "0x000000000000")}>
  const %u : u8[3,2]!quant<f32, per-tensor, scale=[${s("0.1", "1")}], zp=[${s("128", "0")}]> = dense<[${s("0, 255, 128, 100, 7, 200", "0, 0, 0, 0, 0, 0")}]>
  const %v4 : i4[5]!quant<f32, per-tensor, scale=[${s("0.5", "1")}]> = dense<${s("0x78f103", "0x000000")}>
  const %bias : f32[3] = dense<[${s("0.1, 0.2, 0.3", "0, 0, 0")}]>
  const %shape : i64[2] = dense<[-1, 2]>
  %xq : i8[b,4]!quant<f32, per-tensor, scale=[${s("0.02", "1")}], zp=[${s("3", "0")}]> = quantize(%x) {scale=[${s("0.02", "1")}], storage="i8", zero_point=[${s("3", "0")}]} #q
  %y : f32[b,3] = quant_matmul(%xq, %w, _, %bias) #qmm
  %z : f32[b,3] = weight_quant_matmul(%x, %w4) #wmm
  %sum : f32[b,3] = Add(%y, %z) #add
  %ud : f32[3,2] = dequantize(%u) #udq
  %mm : f32[b,2] = MatMul(%sum, %ud) #mm
  %o : f32[b,2] = Reshape(%mm, %shape) #reshape
  %v : f32[5] = dequantize(%v4) #vdq
  output %o, %v
}`);
}

const CONFIG = { weight: { dtype: "int8" }, mode: "quantize" };
const x = Tensor.f32([3, 4], [0.5, -1, 2, 0.25, 1, 1, -1, -0.5, 0, 0.3, -2, 1.5]);

async function saved(name: string, g = intGraph()): Promise<string> {
  const path = join(dir, name);
  await saveQuantizedCheckpoint(g, path, CONFIG);
  return path;
}

async function loadError(path: string, into = intGraph(true)): Promise<Error> {
  try {
    await loadQuantizedCheckpoint(into, path);
  } catch (e) {
    expect((e as Error).message).not.toContain("\n");
    return e as Error;
  }
  throw new Error("the checkpoint loaded");
}

describe("quantized checkpoints", () => {
  it("round-trip into the deploy-mode twin bit for bit, with deterministic bytes", async () => {
    const real = intGraph();
    verify(real);
    const path = await saved("a.safetensors");
    const again = await saved("b.safetensors");
    expect(readFileSync(path).equals(readFileSync(again))).toBe(true);
    expect(await readQuantizedCheckpointConfig(path)).toEqual(CONFIG);

    const loaded = await loadQuantizedCheckpoint(intGraph(true), path);
    verify(loaded);
    expect(printGraph(loaded)).toBe(printGraph(real));
    const [a, b] = [await cpu.run(real, { x }), await cpu.run(loaded, { x })];
    for (const o of real.outputs) expect(Array.from(b[o]!.toF32())).toEqual(Array.from(a[o]!.toF32()));
  });

  it("stores i4 as U8 bytes and parameters as F32 / I32 tensors any reader can open", async () => {
    const f = await openSafetensors(await saved("layout.safetensors"));
    try {
      expect(f.names.sort()).toEqual(["bias", "shape", "u", "u.scale", "u.zero_point", "v4", "v4.scale", "w", "w.scale", "w4", "w4.scale", "xq.scale", "xq.zero_point"]);
      expect(f.header.v4).toMatchObject({ dtype: "u8", shape: [3] });
      expect(Array.from((await f.read("v4")).data as Uint8Array)).toEqual([0x78, 0xf1, 0x03]);
      expect(f.header["w4.scale"]).toMatchObject({ dtype: "f32", shape: [1, 3] });
      expect(f.header["u.zero_point"]).toMatchObject({ dtype: "i32", shape: [1] });
      expect(JSON.parse(f.metadata["quantpass.index"]!).xq).toEqual({ kind: "activation", dtype: "i8", shape: ["b", 4], storage: "i8", expressed: "f32", granularity: { kind: "per-tensor" }, node: "q" });
    } finally {
      await f.close();
    }
  });

  it("names the file and tensor of a mismatched checkpoint", async () => {
    const path = await saved("m.safetensors");
    const twin = printGraph(intGraph(true));
    const renamed = parseGraph(twin.replace(/%w4\b/g, "%w5"));
    expect((await loadError(path, renamed)).message).toBe(`${path}: tensor 'w5': the graph has this constant, the checkpoint does not (a checkpoint of another model or config?)`);
    const wider = parseGraph(twin.replace("%v4 : i4[5]", "%v4 : i4[6]").replace("%v : f32[5]", "%v : f32[6]"));
    const e = await loadError(path, wider);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe(`${path}: tensor 'v4': the checkpoint has i4[5], the graph i4[6] (a checkpoint of another model or config?)`);
    const perTensor = parseGraph(twin.replace("per-axis(1), scale=[1, 1, 1]", "per-tensor, scale=[1]"));
    expect((await loadError(path, perTensor)).message).toBe(
      `${path}: tensor 'w': the checkpoint has i8 per-axis(1) (f32), the graph i8 per-tensor (f32) (a checkpoint of another model or config?)`,
    );
    const symmetric = parseGraph(twin.replace(/, zp=\[0\]> = quantize\(%x\) \{scale=\[1.0\], storage="i8", zero_point=\[0\]\}/, '> = quantize(%x) {scale=[1.0], storage="i8"}'));
    expect((await loadError(path, symmetric)).message).toBe(`${path}: tensor 'xq': asymmetric in the checkpoint, i8 per-tensor symmetric in the graph (a checkpoint of another model or config?)`);
    const float = parseGraph(`graph @g stage=float {\n  input %x : f32[2]\n  %y : f32[2] = Relu(%x) #r\n  output %y\n}`);
    expect((await loadError(path, float)).message).toMatch(/a quantized checkpoint loads into the deploy-mode int graph; to start from the float graph pass \{ build \}/);
    // With build, the float graph is turned into the deploy-mode graph from the checkpoint's config.
    let seen: unknown;
    const built = await loadQuantizedCheckpoint(float, path, { build: (_g, config) => ((seen = config), intGraph(true)) });
    expect(seen).toEqual(CONFIG);
    expect(printGraph(built)).toBe(printGraph(intGraph()));
  });

  it("reports an extra checkpoint tensor, a missing tensor, corruption and non-checkpoints as one-line errors", async () => {
    const path = await saved("c.safetensors");
    const noV = parseGraph(printGraph(intGraph(true)).replace(/, %v$/m, "").replace(/ +const %v4 .*\n/, "").replace(/ +%v : .*\n/, ""));
    expect((await loadError(path, noV)).message).toBe(`${path}: tensor 'v4': in the checkpoint, but the graph has no such value (a checkpoint of another model or config?)`);

    // Drop a tensor from the file (the index still names it).
    const f = await openSafetensors(path);
    const tensors = Object.fromEntries(await Promise.all(f.names.filter((n) => n !== "w.scale").map(async (n) => [n, await f.read(n)] as const)));
    const meta = f.metadata;
    await f.close();
    const missing = join(dir, "missing.safetensors");
    await writeSafetensors(missing, tensors, meta);
    const e = await loadError(missing);
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message).toBe(`${missing}: tensor 'w.scale' is missing (its index entry needs it)`);

    // Flip one byte of w's data: the checksum names the tensor.
    const bytes = readFileSync(path);
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString());
    const corrupt = join(dir, "corrupt.safetensors");
    const flipped = Buffer.from(bytes);
    flipped[8 + Number(bytes.readBigUInt64LE(0)) + header.w.data_offsets[0]]! ^= 0xff;
    writeFileSync(corrupt, flipped);
    expect((await loadError(corrupt)).message).toBe(`${corrupt}: tensor 'w' fails its checksum (the file is corrupted)`);

    const truncated = join(dir, "truncated.safetensors");
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 5));
    expect(await loadError(truncated)).toBeInstanceOf(FormatError);
    expect((await loadError(truncated)).message).toMatch(new RegExp(`^${truncated}: `));

    const plain = join(dir, "plain.safetensors");
    await writeSafetensors(plain, { w: { dtype: "f32", dims: [1], data: new Float32Array(1) } });
    expect((await loadError(plain)).message).toBe(`${plain}: not a quantpass quantized checkpoint (no 'quantpass.format' metadata)`);
  });

  it("saves only int graphs with a config", async () => {
    const float = parseGraph(`graph @g stage=float {\n  input %x : f32[2]\n  %y : f32[2] = Relu(%x) #r\n  output %y\n}`);
    await expect(saveQuantizedCheckpoint(float, join(dir, "f.safetensors"), CONFIG)).rejects.toThrow(/is saved from the int graph \(convert's output\), not a graph at stage 'float'/);
    await expect(saveQuantizedCheckpoint(intGraph(), join(dir, "n.safetensors"))).rejects.toThrow(/no PTQ config to record/);
  });
});
