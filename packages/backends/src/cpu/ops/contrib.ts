/**
 * Kernels of the contrib-domain ops (ir/ops/contrib.ts). MatMulNBits unpacks B into the f32
 * [K, N] weight dequant(q) = f32((q - zp) · scale) and runs the MatMul kernel (then adds the
 * bias), exactly as weight_quant_matmul does, so an exported MatMulNBits file re-imported
 * through the frontend computes the int graph's weight_quant_matmul bit for bit.
 */
import { Tensor, dequantizeValue } from "@quantpass/ir";
import { defineKernel, getKernel } from "../kernel-registry.js";

/** The dequantized [K, N] weight of MatMulNBits' packed B, scales and zero points. */
export function unpackNBits(b: Tensor, scales: Tensor, zps: Tensor | undefined, K: number, N: number, bits: number, bs: number): Tensor {
  const nb = Math.ceil(K / bs), blob = (bs * bits) / 8, zRow = Math.ceil((nb * bits) / 8);
  const B = b.data as Uint8Array;
  const S = scales.toF32();
  const Z = zps?.data as Uint8Array | undefined;
  const dflt = 1 << (bits - 1);
  const out = new Float32Array(K * N);
  for (let n = 0; n < N; n++)
    for (let blk = 0; blk < nb; blk++) {
      const s = S[n * nb + blk]!;
      const zp = !Z ? dflt : bits === 8 ? Z[n * zRow + blk]! : (Z[n * zRow + (blk >> 1)]! >> (4 * (blk & 1))) & 15;
      const base = (n * nb + blk) * blob;
      for (let j = 0, k = blk * bs; j < bs && k < K; j++, k++) {
        const q = bits === 8 ? B[base + j]! : (B[base + (j >> 1)]! >> (4 * (j & 1))) & 15;
        out[k * N + n] = dequantizeValue(q, s, zp);
      }
    }
  return new Tensor("f32", [K, N], out);
}

defineKernel("MatMulNBits", (inputs, ctx) => {
  const [a, b, scales, zps, , bias] = inputs;
  const K = ctx.attr<number>("K"), N = ctx.attr<number>("N");
  const w = unpackNBits(b!, scales!, zps, K, N, ctx.attr<number>("bits"), ctx.attr<number>("block_size"));
  const matmul = getKernel("MatMul") ?? ctx.fail("no MatMul kernel");
  const [y] = matmul([a!, w], ctx);
  if (!bias) return [y!];
  const add = getKernel("Add") ?? ctx.fail("no Add kernel");
  return add([y!, bias], ctx);
});
