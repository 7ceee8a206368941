/**
 * Whole-tensor quantize, dequantize and fake_quant for the cpu interpreter's quant kernels,
 * on the loops of @quantpass/ir/quant-kernels (WebAssembly SIMD, or plain TypeScript with
 * QUANTPASS_WEIGHT_KERNELS=ts). Every granularity, storage (i8 u8 i4 u4) and zero point
 * goes through them (the loops of weightKernels(), or those given); the per-element functions of ops/quant-math.ts are the oracle
 * (quant-tensor.test.ts checks the bits). Input floats are read with toF32 (f16/bf16 widen).
 */
import { storageRange, Tensor, type QuantType } from "@quantpass/ir";
import { weightKernels, type WeightKernels } from "@quantpass/ir/quant-kernels";

/** Quantizes f32 data into the storage dtype of q (packed for i4/u4). */
export function quantizeTensorFast(x: Tensor, q: QuantType, k: WeightKernels = weightKernels()): Tensor {
  const out = Tensor.zeros(q.storage, x.shape);
  const [lo, hi] = storageRange(q.storage);
  if (q.storage === "i4" || q.storage === "u4") k.quantizePackedInto(x.toF32(), out.data as Uint8Array, x.shape, q.granularity, q.scale!, q.zeroPoint, lo, hi);
  else k.quantizeInto(x.toF32(), out.data as Int8Array | Uint8Array, x.shape, q.granularity, q.scale!, q.zeroPoint, lo, hi);
  return out;
}

/** Dequantizes stored integers (i8 u8 i4 u4) with q's parameters into f32; null for another dtype. */
export function dequantizeTensorFast(t: Tensor, q: QuantType, k: WeightKernels = weightKernels()): Tensor | null {
  const ints = bytesOf(t);
  if (!ints) return null;
  const out = new Float32Array(t.size);
  k.dequantizeInto(ints, out, t.shape, q.granularity, q.scale!, q.zeroPoint);
  return new Tensor("f32", t.shape, out);
}

/** fake_quant: dequantize(quantize(x)) bit for bit, without materialising the integers. */
export function fakeQuantTensorFast(x: Tensor, q: QuantType, k: WeightKernels = weightKernels()): Tensor {
  const out = new Float32Array(x.size);
  const [lo, hi] = storageRange(q.storage);
  k.fakeQuantInto(x.toF32(), out, x.shape, q.granularity, q.scale!, q.zeroPoint, lo, hi);
  return new Tensor("f32", x.shape, out);
}

/** The integers of an 8- or 4-bit tensor, one a byte (i4/u4 unpacked); null for another dtype. */
export function bytesOf(t: Tensor): Int8Array | Uint8Array | null {
  switch (t.dtype) {
    case "i8": return t.data as Int8Array;
    case "u8": return t.data as Uint8Array;
    case "i4": case "u4": {
      const d = t.data as Uint8Array;
      const n = t.size;
      const out = t.dtype === "i4" ? new Int8Array(n) : new Uint8Array(n);
      // i4: (v << 28) >> 28 sign-extends the nibble
      if (t.dtype === "i4") for (let i = 0; i < n; i++) out[i] = (((i & 1 ? d[i >> 1]! >> 4 : d[i >> 1]!) & 15) << 28) >> 28;
      else for (let i = 0; i < n; i++) out[i] = (i & 1 ? d[i >> 1]! >> 4 : d[i >> 1]!) & 15;
      return out;
    }
    default: return null;
  }
}
