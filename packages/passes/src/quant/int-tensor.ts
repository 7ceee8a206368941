/**
 * Integer constants for fold-to-int: quantize a float constant with a QuantType (the same
 * arithmetic as the `quantize` kernel: ir's quantizeValue per element), and transpose a
 * 2-D integer constant together with its per-axis or per-group parameters. The loops are
 * in @quantpass/ir/quant-kernels (WebAssembly SIMD, or plain TypeScript).
 */
import { storageRange, Tensor, type QuantType } from "@quantpass/ir";
import { weightKernels } from "@quantpass/ir/quant-kernels";

export function quantizeConstant(x: Tensor, q: QuantType): Tensor {
  const xs = x.toF32();
  const out = Tensor.zeros(q.storage, x.shape);
  const [lo, hi] = storageRange(q.storage);
  const kernels = weightKernels();
  if (q.storage === "i4" || q.storage === "u4") kernels.quantizePackedInto(xs, out.data as Uint8Array, x.shape, q.granularity, q.scale!, q.zeroPoint, lo, hi);
  else kernels.quantizeInto(xs, out.data as Int8Array | Uint8Array, x.shape, q.granularity, q.scale!, q.zeroPoint, lo, hi);
  return out;
}

function transpose2d<T extends { length: number }>(src: T, rows: number, cols: number, make: (n: number) => T, get: (a: T, i: number) => number, set: (a: T, i: number, v: number) => void): T {
  const out = make(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) set(out, c * rows + r, get(src, r * cols + c));
  return out;
}

/** W [R, C] with quant q → W^T [C, R] with the matching quant (axes swapped, scale grids transposed). */
export function transposeQuantized(w: Tensor, q: QuantType): { tensor: Tensor; quant: QuantType } {
  const [rows, cols] = w.shape as [number, number];
  const t = Tensor.zeros(w.dtype, [cols, rows]);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t.set(c * rows + r, w.get(r * cols + c));
  const g = q.granularity;
  if (g.kind === "per-tensor" || g.kind === "per-token") return { tensor: t, quant: q };
  if (g.kind === "per-axis") return { tensor: t, quant: { ...q, granularity: { kind: "per-axis", axis: 1 - g.axis } } };
  // Per-group scales form a grid of the weight's shape with the grouped axis divided.
  const gr = g.axis === 0 ? Math.ceil(rows / g.groupSize) : rows;
  const gc = g.axis === 1 ? Math.ceil(cols / g.groupSize) : cols;
  const f32 = (a: Float32Array, i: number) => a[i]!;
  const i32 = (a: Int32Array, i: number) => a[i]!;
  const scale = transpose2d(q.scale!, gr, gc, (n) => new Float32Array(n), f32, (a, i, v) => { a[i] = v; });
  const zeroPoint = q.zeroPoint ? transpose2d(q.zeroPoint, gr, gc, (n) => new Int32Array(n), i32, (a, i, v) => { a[i] = v; }) : null;
  return { tensor: t, quant: { ...q, granularity: { kind: "per-group", axis: 1 - g.axis, groupSize: g.groupSize }, scale, zeroPoint } };
}
