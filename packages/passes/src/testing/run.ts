/** Helpers for tests that run graphs: bitwise comparison of outputs. */
import type { Tensor } from "@quantpass/ir";

/** Whether two f32 tensors are equal bit for bit (NaN payloads included). */
export function sameBits(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.size !== b.size || a.shape.join() !== b.shape.join()) return false;
  const x = new Uint32Array((a.toF32() as Float32Array).slice().buffer);
  const y = new Uint32Array((b.toF32() as Float32Array).slice().buffer);
  return x.every((v, i) => v === y[i]);
}

/** First index where a and b differ bitwise, with both values, for messages. */
export function firstDiff(a: Tensor, b: Tensor): string {
  const x = a.toF32();
  const y = b.toF32();
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `element ${i}: ${x[i]} vs ${y[i]}`;
  return a.shape.join() !== b.shape.join() ? `shapes [${a.shape}] vs [${b.shape}]` : "none";
}
