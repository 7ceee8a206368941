/** Elementwise quantize / dequantize of whole tensors with a QuantType (shared by the quant kernels). */
import { Tensor, dequantizeValue, quantizeValue, scaleIndex, storageRange, type QuantType } from "@quantpass/ir";

/** Quantizes f32 data into the storage dtype of q (packed for i4/u4). */
export function quantizeTensor(x: Tensor, q: QuantType): Tensor {
  const xs = x.toF32();
  const out = Tensor.zeros(q.storage, x.shape);
  const idx = scaleIndex(q.granularity, x.shape);
  const [lo, hi] = storageRange(q.storage);
  const s = q.scale!;
  const z = q.zeroPoint;
  for (let i = 0; i < xs.length; i++) {
    const k = idx[i]!;
    out.set(i, quantizeValue(xs[i]!, s[k]!, z ? z[k]! : 0, lo, hi));
  }
  return out;
}

/** Dequantizes stored integers with q's parameters into f32. */
export function dequantizeTensor(t: Tensor, q: QuantType): Tensor {
  const out = new Float32Array(t.size);
  const idx = scaleIndex(q.granularity, t.shape);
  const s = q.scale!;
  const z = q.zeroPoint;
  for (let i = 0; i < out.length; i++) {
    const k = idx[i]!;
    out[i] = dequantizeValue(t.get(i), s[k]!, z ? z[k]! : 0);
  }
  return new Tensor("f32", t.shape, out);
}

/** fake_quant: exactly dequantize(quantize(x)), without materialising the integers. */
export function fakeQuantTensor(x: Tensor, q: QuantType): Tensor {
  const xs = x.toF32();
  const out = new Float32Array(xs.length);
  const idx = scaleIndex(q.granularity, x.shape);
  const [lo, hi] = storageRange(q.storage);
  const s = q.scale!;
  const z = q.zeroPoint;
  for (let i = 0; i < xs.length; i++) {
    const k = idx[i]!;
    const zp = z ? z[k]! : 0;
    out[i] = dequantizeValue(quantizeValue(xs[i]!, s[k]!, zp, lo, hi), s[k]!, zp);
  }
  return new Tensor("f32", x.shape, out);
}
