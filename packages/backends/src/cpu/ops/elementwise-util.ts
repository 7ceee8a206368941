/**
 * Shared machinery for the elementwise, reduction and softmax kernels: number/bigint views of
 * tensor storage, output buffers that stage f16/bf16/i64/int4 results, and an n-ary
 * broadcast planner that walks the output row by row (innermost merged dimension).
 */
import { Tensor, allocData, f32ToBf16Bits, f32ToF16Bits, type DType } from "@quantpass/ir";

/** A writable array of JS numbers (typed arrays of every number-holding dtype). */
export interface NumArr {
  readonly length: number;
  [i: number]: number;
}
export type BigArr = BigInt64Array | BigUint64Array;

export const isBigDType = (d: DType): boolean => d === "i64" || d === "u64";
export const isFloatDType = (d: DType): boolean => d === "f32" || d === "f64" || d === "f16" || d === "bf16";

/** Storage that holds JS numbers directly (typed arrays other than f16/bf16 bits, int4 and 64-bit). */
function holdsNumbers(d: DType): boolean {
  return !(d === "f16" || d === "bf16" || d === "i4" || d === "u4" || d === "i64" || d === "u64" || d === "string");
}

/** The elements as JS numbers: the storage itself where it holds numbers, else a widened copy (i64 above 2^53 rounds). */
export function nums(t: Tensor): NumArr {
  if (holdsNumbers(t.dtype)) return t.data as unknown as NumArr;
  if (t.dtype === "f16" || t.dtype === "bf16") return t.toF32();
  if (t.dtype === "string") throw new Error("numeric view of a string tensor");
  const out = new Float64Array(t.size);
  for (let i = 0; i < t.size; i++) out[i] = t.get(i);
  return out;
}

/** The elements as bigints: the storage itself for i64/u64, else a converted copy (floats truncate). */
export function bigs(t: Tensor): BigArr {
  if (isBigDType(t.dtype)) return t.data as BigArr;
  const v = nums(t);
  const out = new BigInt64Array(t.size);
  for (let i = 0; i < t.size; i++) out[i] = toBigInt(v[i]!);
  return out;
}

/** Truncating number → int64 as a C cast on x86-64: NaN and out-of-range give -2^63. */
export function toBigInt(v: number): bigint {
  const t = Math.trunc(v);
  if (!(t >= -9223372036854775808 && t < 9223372036854775808)) return -9223372036854775808n;
  return BigInt(t);
}

/**
 * A number buffer for n output elements of dtype d: the final storage when it holds numbers,
 * else a staging array (Float32Array for f16/bf16, so half results round via f32 as numpy and
 * onnxruntime do; Float64Array for i64/u64/int4). Finish it with `finishNums`.
 */
export function numOut(d: DType, n: number): NumArr {
  if (holdsNumbers(d)) return allocData(d, n) as unknown as NumArr;
  if (d === "f16" || d === "bf16") return new Float32Array(n);
  if (d === "string") throw new Error("numeric output buffer for a string tensor");
  return new Float64Array(n);
}

/** Wraps a buffer from `numOut` as a tensor, converting staged values. */
export function finishNums(d: DType, shape: readonly number[], buf: NumArr): Tensor {
  if (holdsNumbers(d)) return new Tensor(d, shape, buf as unknown as Float32Array);
  const n = buf.length;
  const data = allocData(d, n);
  if (d === "f16" || d === "bf16") {
    const h = data as Uint16Array;
    const conv = d === "f16" ? f32ToF16Bits : f32ToBf16Bits;
    for (let i = 0; i < n; i++) h[i] = conv(buf[i]!);
  } else if (d === "i64" || d === "u64") {
    const b = data as BigArr;
    for (let i = 0; i < n; i++) b[i] = toBigInt(buf[i]!);
  } else {
    const t = new Tensor(d, shape, data);
    for (let i = 0; i < n; i++) t.set(i, buf[i]!);
    return t;
  }
  return new Tensor(d, shape, data);
}

/** Tensor from a bigint buffer (BigInt64Array stores wrap modulo 2^64 like C). */
export function bigOut(d: DType, n: number): BigArr {
  return d === "u64" ? new BigUint64Array(n) : new BigInt64Array(n);
}

// ---------------------------------------------------------------------------------------------
// Broadcasting

export interface BroadcastPlan {
  /** Output shape. */
  readonly shape: number[];
  /** Output element count. */
  readonly n: number;
  /** Merged output dims (at least one); the last is walked by the row loop. */
  readonly dims: number[];
  /** Per input, the element stride of each merged dim (0 where broadcast). */
  readonly strides: number[][];
  /** Per input, the stride along the innermost merged dim (0 or 1). */
  readonly inner: number[];
}

/** Numpy broadcast of several shapes; throws on a mismatch. */
export function broadcastShapeN(shapes: readonly (readonly number[])[]): number[] {
  const r = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - r + i] ?? 1;
      if (e === 1) continue;
      if (d !== 1 && d !== e) throw new Error(`cannot broadcast ${shapes.map((x) => `[${x.join(",")}]`).join(" and ")}`);
      d = e;
    }
    out.push(d);
  }
  return out;
}

/** Plans a broadcast walk over `shapes`: size-1 output dims dropped, compatible neighbours merged. */
export function broadcastPlan(shapes: readonly (readonly number[])[]): BroadcastPlan {
  const shape = broadcastShapeN(shapes);
  const r = shape.length;
  const n = shape.reduce((a, b) => a * b, 1);
  const padded = shapes.map((s) => [...new Array<number>(r - s.length).fill(1), ...s]);
  const dims: number[] = [];
  const bcast: boolean[][] = shapes.map(() => []);
  for (let d = 0; d < r; d++) {
    if (shape[d] === 1) continue;
    const b = padded.map((p) => p[d] === 1);
    const k = dims.length - 1;
    if (k >= 0 && b.every((x, j) => x === bcast[j]![k])) dims[k]! *= shape[d]!;
    else {
      dims.push(shape[d]!);
      b.forEach((x, j) => bcast[j]!.push(x));
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    bcast.forEach((b) => b.push(true));
  }
  const strides = bcast.map((b) => {
    const s = new Array<number>(dims.length).fill(0);
    let acc = 1;
    for (let k = dims.length - 1; k >= 0; k--) {
      if (!b[k]) {
        s[k] = acc;
        acc *= dims[k]!;
      }
    }
    return s;
  });
  return { shape, n, dims, strides, inner: strides.map((s) => s[s.length - 1]!) };
}

/**
 * Calls row(offsets, outOffset, length) for every innermost row of the plan; `offsets[j]` is
 * input j's flat index of the row start (its stride along the row is plan.inner[j]).
 * The offsets array is reused between calls.
 */
export function forEachRow(p: BroadcastPlan, row: (offsets: number[], o: number, len: number) => void): void {
  if (p.n === 0) return;
  const m = p.dims.length;
  const len = p.dims[m - 1]!;
  const k = p.strides.length;
  const offs = new Array<number>(k).fill(0);
  const idx = new Array<number>(m).fill(0);
  for (let o = 0; o < p.n; o += len) {
    row(offs, o, len);
    for (let d = m - 2; d >= 0; d--) {
      idx[d]!++;
      for (let j = 0; j < k; j++) offs[j]! += p.strides[j]![d]!;
      if (idx[d]! < p.dims[d]!) break;
      for (let j = 0; j < k; j++) offs[j]! -= p.strides[j]![d]! * p.dims[d]!;
      idx[d] = 0;
    }
  }
}

/** Flat index of input j for every output element (for rare dtypes walked via Tensor.get/set). */
export function broadcastIndices(p: BroadcastPlan, j: number): Int32Array {
  const out = new Int32Array(p.n);
  const s = p.inner[j]!;
  forEachRow(p, (offs, o, len) => {
    const b = offs[j]!;
    for (let i = 0; i < len; i++) out[o + i] = b + i * s;
  });
  return out;
}

/** Splits a shape around `axis` into [outer, size, inner] element counts. */
export function splitAxis(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}

/** Normalises a possibly negative axis or fails through `fail`. */
export function kernelAxis(axis: number, rank: number, fail: (m: string) => never): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) fail(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Round half to even (numpy rint, ONNX Round). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
