/**
 * Ops of non-default ONNX domains that quantpass reads and writes. They keep their ONNX
 * names; CONTRIB_OPS gives each one's domain and the domain opset the exporter imports
 * (the frontend accepts exactly these ops from those domains).
 *
 * com.microsoft MatMulNBits (onnxruntime contrib op, version 1): Y = A · dequant(B)ᵀ with B
 * the [N, K] weight stored per output row n in K-major blocks of `block_size` unsigned
 * `bits`-bit values (4-bit: element 2i in the low nibble), B: u8 [N, n_blocks, blob] with
 * blob = block_size · bits / 8, scales [N · n_blocks] (or [N, n_blocks]), optional packed
 * u8 zero points (per row ⌈n_blocks · bits / 8⌉ bytes, same nibble order; absent: 2^(bits-1)).
 * dequant(q) = (q - zp) · scale in f32. Only f32 A; g_idx and float zero points are not supported.
 */
import { defineOp } from "../op-registry.js";
import type { TensorType } from "../types.js";
import { input } from "./shape-util.js";

export interface ContribOp {
  readonly domain: string;
  readonly version: number;
}

export const CONTRIB_OPS: Readonly<Record<string, ContribOp>> = {
  MatMulNBits: { domain: "com.microsoft", version: 1 },
};

/** The opset version quantpass writes for a non-default domain, if it knows the domain. */
export function contribDomainVersion(domain: string): number | undefined {
  return Object.values(CONTRIB_OPS).find((c) => c.domain === domain)?.version;
}

defineOp({
  name: "MatMulNBits",
  doc: "com.microsoft: float A times a 4/8-bit block-quantized weight B (K-major blocks), as onnxruntime",
  inputs: ["A", "B", "scales", "zero_points", "g_idx", "bias"],
  minInputs: 3,
  outputs: ["Y"],
  attrs: {
    K: { kind: "int", required: true, doc: "input features" },
    N: { kind: "int", required: true, doc: "output features" },
    bits: { kind: "int", default: 4, doc: "4 or 8" },
    block_size: { kind: "int", required: true, doc: "power of two >= 16" },
    accuracy_level: { kind: "int", default: 0, doc: "minimum accuracy of A's compute type (0: unset)" },
  },
  infer(ctx) {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    const s = input(ctx, 2);
    const [K, N, bits, bs] = ["K", "N", "bits", "block_size"].map((k) => ctx.attr<number>(k)) as [number, number, number, number];
    if (a.dtype !== "f32") ctx.fail(`A must be f32 (f16 is not supported yet), got ${a.dtype}`);
    if (bits !== 4 && bits !== 8) ctx.fail(`bits must be 4 or 8, got ${bits}`);
    if (!(bs >= 16) || (bs & (bs - 1)) !== 0) ctx.fail(`block_size must be a power of two >= 16, got ${bs}`);
    if (!(K > 0) || !(N > 0)) ctx.fail(`K and N must be positive, got ${K} and ${N}`);
    const k = a.shape[a.shape.length - 1];
    if (a.shape.length < 1 || (typeof k === "number" && k !== K)) ctx.fail(`A's last dim ${String(k)} is not K=${K}`);
    const nb = Math.ceil(K / bs), blob = (bs * bits) / 8;
    const want = [N, nb, blob];
    if (b.dtype !== "u8" || b.shape.length !== 3 || b.shape.some((d, i) => typeof d === "number" && d !== want[i]))
      ctx.fail(`B must be u8 [${want.join(",")}], got ${b.dtype}[${b.shape.join(",")}]`);
    const size = (t: TensorType) => t.shape.reduce<number>((p, d) => p * (typeof d === "number" ? d : NaN), 1);
    if (s.dtype !== a.dtype || size(s) !== N * nb) ctx.fail(`scales must be ${a.dtype} with ${N * nb} values`);
    const z = ctx.inputs[3];
    if (z && (z.dtype !== "u8" || size(z) !== N * Math.ceil((nb * bits) / 8)))
      ctx.fail(`zero_points must be packed u8 with ${N * Math.ceil((nb * bits) / 8)} values (float zero points are not supported)`);
    if (ctx.inputs[4]) ctx.fail("g_idx is not supported");
    const bias = ctx.inputs[5];
    if (bias && (bias.dtype !== a.dtype || size(bias) !== N)) ctx.fail(`bias must be ${a.dtype} [${N}]`);
    return [{ dtype: a.dtype, shape: [...a.shape.slice(0, -1), N] }];
  },
});
