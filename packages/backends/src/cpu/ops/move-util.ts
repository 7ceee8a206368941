/**
 * Bit-exact, dtype-generic element movement for data-movement kernels.
 *
 * Every element is moved as raw words: 1-byte dtypes as Uint8Array, 2-byte as Uint16Array,
 * 4-byte as Uint32Array and 8-byte (i64, u64, f64) as pairs of Uint32 words. This keeps NaN
 * payloads and -0 intact, avoids BigInt traffic for i64, and limits the hot loops to three
 * array kinds. Packed i4/u4 tensors are rejected with a clear error.
 */
import { allocData, Tensor, UserError, type DType } from "@quantpass/ir";

/** Word storage of a tensor: `w` words per element. */
export interface Words {
  readonly a: Uint8Array | Uint16Array | Uint32Array | string[];
  readonly w: number;
}

export function wordsOf(t: Tensor, op = "data-movement kernels"): Words {
  const d = t.data;
  if (Array.isArray(d)) return { a: d, w: 1 };
  const { buffer, byteOffset } = d;
  switch (t.dtype) {
    case "i4": case "u4":
      throw new UserError(`cpu: ${op}: packed ${t.dtype} tensors are not supported (cast to ${t.dtype === "i4" ? "i8" : "u8"} first)`);
    case "f64": case "i64": case "u64": return { a: new Uint32Array(buffer, byteOffset, t.size * 2), w: 2 };
    case "f32": case "i32": case "u32": return { a: new Uint32Array(buffer, byteOffset, t.size), w: 1 };
    case "f16": case "bf16": case "i16": case "u16": return { a: new Uint16Array(buffer, byteOffset, t.size), w: 1 };
    default: return { a: new Uint8Array(buffer, byteOffset, t.size), w: 1 };
  }
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let p = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = p; p *= shape[i]!; }
  return s;
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A fresh tensor of dtype and shape (zero-filled). */
export function emptyTensor(dtype: DType, shape: readonly number[]): Tensor {
  return new Tensor(dtype, shape, allocData(dtype, numelOf(shape)));
}

/** Copies `len` words from src[s..] to dst[d..] (typed-array block copy for long runs). */
export function copyRun(dst: Words["a"], d: number, src: Words["a"], s: number, len: number): void {
  if (len >= 16 && !Array.isArray(dst) && !Array.isArray(src)) {
    (dst as Uint32Array).set((src as Uint32Array).subarray(s, s + len), d);
    return;
  }
  for (let k = 0; k < len; k++) dst[d + k] = src[s + k]!;
}

/** Source offsets (in elements) of contiguous steps: base + o * stride for o in [0, n). */
export function axisTable(n: number, stride: number, start = 0, step = 1): Float64Array {
  const t = new Float64Array(n);
  for (let o = 0; o < n; o++) t[o] = (start + o * step) * stride;
  return t;
}

/** Marks a position that takes the fill value instead of a source element. */
export const FILL = -Infinity;

/**
 * Output of `shape` whose element at (o0, ..., on) is src[tables[0][o0] + ... + tables[n][on]]
 * (flat source element offsets), or `fill` (element 0 of a tensor of src's dtype; zero bits
 * when absent) when any table entry is FILL. Transpose, Slice, Expand, Tile, Pad, Gather,
 * nearest Resize and DepthToSpace are all this one loop with different tables.
 */
export function mapCopy(src: Tensor, shape: readonly number[], tables: readonly Float64Array[], fill?: Tensor): Tensor {
  const out = emptyTensor(src.dtype, shape);
  const n = out.size;
  if (n === 0) return out;
  const s = wordsOf(src), d = wordsOf(out);
  const w = s.w, sa = s.a, da = d.a;
  const fw: Words["a"] = fill ? wordsOf(fill).a : Array.isArray(sa) ? [""] : new Uint32Array(w);
  const r = shape.length;
  if (r === 0) {
    for (let k = 0; k < w; k++) da[k] = sa[k]!;
    return out;
  }
  const last = tables[r - 1]!;
  const L = shape[r - 1]!;
  let contiguous = last[0]! >= 0;
  for (let o = 1; o < L && contiguous; o++) contiguous = last[o] === last[0]! + o;
  let lastHasFill = false;
  for (let o = 0; o < L; o++) if (last[o]! < 0) lastHasFill = true;
  const rows = n / L;
  const idx = new Array<number>(r).fill(0);
  const prefix = new Float64Array(r); // prefix[k] = sum of tables[0..k-1] at idx
  for (let k = 1; k < r; k++) prefix[k] = prefix[k - 1]! + tables[k - 1]![0]!;
  const rowWords = L * w;
  for (let row = 0, j = 0; row < rows; row++, j += rowWords) {
    const base = prefix[r - 1]!;
    if (base < 0) {
      for (let o = 0; o < rowWords; o++) da[j + o] = fw[o % w]!;
    } else if (contiguous) {
      copyRun(da, j, sa, (base + last[0]!) * w, rowWords);
    } else if (w === 1) {
      if (lastHasFill) for (let o = 0; o < L; o++) { const t = last[o]!; da[j + o] = t < 0 ? fw[0]! : sa[base + t]!; }
      else for (let o = 0; o < L; o++) da[j + o] = sa[base + last[o]!]!;
    } else {
      for (let o = 0; o < L; o++) {
        const t = last[o]!;
        const q = j + o * w;
        if (t < 0) for (let k = 0; k < w; k++) da[q + k] = fw[k]!;
        else { const p = (base + t) * w; for (let k = 0; k < w; k++) da[q + k] = sa[p + k]!; }
      }
    }
    // advance the odometer over the outer axes
    let k = r - 2;
    while (k >= 0) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
      k--;
    }
    if (k < 0) break;
    for (let m = k; m < r - 1; m++) prefix[m + 1] = prefix[m]! + tables[m]![idx[m]!]!;
  }
  return out;
}

/** Gathers src elements at flat offsets `idx` (FILL for the fill value) into a tensor of `shape`. */
export function takeFlat(src: Tensor, shape: readonly number[], idx: Float64Array, fill?: Tensor): Tensor {
  return mapCopy(src, [idx.length], [idx], fill).withShape(shape);
}

/** A copy of t (fresh storage), e.g. as the starting point of a scatter. */
export function cloneTensor(t: Tensor): Tensor {
  if (Array.isArray(t.data)) return new Tensor(t.dtype, t.shape, t.data.slice());
  const out = emptyTensor(t.dtype, t.shape);
  (out.data as Uint8Array).set(t.data as Uint8Array); // same element type: a byte copy
  return out;
}

/** Integer values of an index/shape tensor (i64, i32, ...) as JS numbers. */
export function intsOf(t: Tensor): number[] {
  const n = t.size;
  const out = new Array<number>(n);
  if (t.dtype === "i64" || t.dtype === "u64") {
    // two 32-bit halves, no BigInt per element: hi * 2^32 + lo rounds like Number(bigint)
    const d = t.data as BigInt64Array;
    const w = new Int32Array(d.buffer, d.byteOffset, 2 * n);
    const hiSigned = t.dtype === "i64";
    for (let i = 0; i < n; i++) out[i] = (hiSigned ? w[2 * i + 1]! : w[2 * i + 1]! >>> 0) * 4294967296 + (w[2 * i]! >>> 0);
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = Math.trunc(t.get(i));
  return out;
}

/** Normalises an axis against rank, failing with a kernel error when out of range. */
export function normAxisK(axis: number, rank: number, fail: (m: string) => never): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** An i64 tensor from JS numbers. */
export function i64Tensor(shape: readonly number[], values: ArrayLike<number>): Tensor {
  const d = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) d[i] = BigInt(values[i]!);
  return new Tensor("i64", shape, d);
}
