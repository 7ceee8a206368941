/**
 * weight_quant_matmul → com.microsoft MatMulNBits (weight-only A16W4 / A16W8):
 *
 *   %y = weight_quant_matmul(%x, %w : i4[K,N]!quant<per-group(0,g)>, %b)
 *     →  %y = Add(MatMulNBits(%x, B, scales[, zero_points]){K, N, bits, block_size=g, accuracy_level=0}, %b)
 *
 * Eligible: f32 x; a constant 2-D [K, N] weight of i4/u4 (bits 4) or i8/u8 (bits 8) that is
 * per-group along K with a power-of-two group >= 16 (block_size = group size), per output
 * channel or per tensor (block_size 32, the scale repeated per block). Repacking into
 * onnxruntime's layout: B u8 [N, n_blocks, blob] holds row n of Wᵀ in K-major blocks (4-bit:
 * element 2i in the low nibble), scales f32 [N · n_blocks] (block-major per row). MatMulNBits
 * stores unsigned values with a default zero point of 2^(bits-1): signed storage is shifted by
 * +8 (+128) and its zero point with it, so symmetric int4/int8 needs no zero-point input;
 * otherwise zero points are packed u8 [N · ⌈n_blocks · bits / 8⌉]. The padding of the last
 * block holds the zero point. Other weight_quant_matmuls take the QDQ form.
 */
import { Tensor, scaleIndex, type Node } from "@quantpass/ir";
import type { Lowering } from "./lowering.js";

const DEFAULT_BLOCK = 32;

interface NBitsLayout {
  readonly bits: 4 | 8;
  readonly blockSize: number;
}

/** The MatMulNBits layout of n's weight, or why there is none. */
export function nbitsLayout(lw: Lowering, n: Node): NBitsLayout | string {
  const [x, w] = n.inputs;
  const q = lw.quant(w!);
  if (lw.type(x!).dtype !== "f32") return "activation is not f32";
  if (!q || q.expressed !== "f32") return "weight is not an f32-expressed quantized value";
  if (!(w! in lw.src.constants)) return "weight is not a constant";
  if (lw.type(w!).shape.length !== 2) return "weight is not 2-D";
  const bits = q.storage === "i4" || q.storage === "u4" ? 4 : 8;
  const g = q.granularity;
  if (g.kind === "per-group") {
    if (g.axis !== 0) return `groups run along axis ${g.axis}, not K`;
    if (g.groupSize < 16 || (g.groupSize & (g.groupSize - 1)) !== 0) return `group size ${g.groupSize} is not a power of two >= 16`;
    return { bits, blockSize: g.groupSize };
  }
  if (g.kind === "per-tensor" || (g.kind === "per-axis" && g.axis === 1)) return { bits, blockSize: DEFAULT_BLOCK };
  return `weight is ${g.kind}`;
}

export function emitNBits(lw: Lowering, n: Node, layout: NBitsLayout, memo: Map<string, string[]>): void {
  const [x, w, b] = n.inputs;
  const key = `${w}/${layout.bits}/${layout.blockSize}`;
  const packed = memo.get(key) ?? packWeight(lw, w!, layout);
  memo.set(key, packed);
  const [K, N] = lw.src.constants[w!]!.shape as [number, number];
  const attrs = { K, N, bits: layout.bits, block_size: layout.blockSize, accuracy_level: 0 };
  const y = n.outputs[0]!;
  if (!b) lw.node("MatMulNBits", n.name, [x!, ...packed], attrs, [y]);
  else lw.node("Add", `${n.name}.bias`, [lw.node1("MatMulNBits", n.name, [x!, ...packed], attrs, lw.fresh(`${y}.mm`)), b], {}, [y]);
}

/** B, scales and (unless all default) zero-point initializers of w in MatMulNBits' layout. */
function packWeight(lw: Lowering, w: string, layout: NBitsLayout): string[] {
  const t = lw.src.constants[w]!;
  const q = lw.quant(w)!;
  const [K, N] = t.shape as [number, number];
  const { bits, blockSize: bs } = layout;
  const nb = Math.ceil(K / bs), blob = (bs * bits) / 8, zRow = Math.ceil((nb * bits) / 8);
  const signed = q.storage === "i4" || q.storage === "i8";
  const shift = signed ? 1 << (bits - 1) : 0;
  const dflt = 1 << (bits - 1);
  const sidx = scaleIndex(q.granularity, [K, N]);
  const B = new Uint8Array(N * nb * blob);
  const S = new Float32Array(N * nb);
  const Z = new Uint8Array(N * zRow);
  let allDefault = true;
  const put = (arr: Uint8Array, byte: number, nibble: number, v: number) => {
    if (bits === 8) arr[byte] = v;
    else arr[byte] = arr[byte]! | (v << (4 * nibble));
  };
  for (let c = 0; c < N; c++)
    for (let blk = 0; blk < nb; blk++) {
      const si = sidx[blk * bs * N + c]!;
      const zp = (q.zeroPoint ? q.zeroPoint[q.zeroPoint.length === 1 ? 0 : si]! : 0) + shift;
      if (zp !== dflt) allDefault = false;
      S[c * nb + blk] = q.scale![si]!;
      put(Z, c * zRow + (bits === 8 ? blk : blk >> 1), blk & 1, zp);
      const base = (c * nb + blk) * blob;
      for (let j = 0; j < bs; j++) {
        const k = blk * bs + j;
        const v = k < K ? t.get(k * N + c) + shift : zp;
        put(B, base + (bits === 8 ? j : j >> 1), j & 1, v);
      }
    }
  const inputs = [
    lw.constant(`${w}_nbits`, new Tensor("u8", [N, nb, blob], B)),
    lw.constant(`${w}_nbits_scales`, new Tensor("f32", [N * nb], S)),
  ];
  if (!allDefault) inputs.push(lw.constant(`${w}_nbits_zero_points`, new Tensor("u8", [N * zRow], Z)));
  return inputs;
}
