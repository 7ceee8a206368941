import { allocData, byteLength, type DType, type TensorData } from "./dtype.js";
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "./half.js";

/**
 * A dense constant or runtime tensor. Immutable by convention: passes that do
 * not change a weight pass the same Tensor object along, never a copy.
 * Tensor is a class, so immer never drafts or freezes it: weights stay out of
 * immer-managed state even when a graph refers to them.
 */
export class Tensor {
  readonly size: number;
  constructor(
    readonly dtype: DType,
    readonly shape: readonly number[],
    /** Element storage; i4/u4 packed two a byte (element 2i in the low nibble), f16/bf16 as raw bits. */
    readonly data: TensorData,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  static zeros(dtype: DType, shape: readonly number[]): Tensor {
    return new Tensor(dtype, shape, allocData(dtype, shape.reduce((a, b) => a * b, 1)));
  }

  static f32(shape: readonly number[], values: ArrayLike<number>): Tensor {
    return new Tensor("f32", shape, Float32Array.from(values));
  }

  static scalar(dtype: DType, v: number | bigint): Tensor {
    return Tensor.fromNumbers(dtype, [], [typeof v === "bigint" ? Number(v) : v]);
  }

  /** Builds a tensor of any numeric dtype from JS numbers (f16/bf16 rounded to nearest even). */
  static fromNumbers(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
    const t = Tensor.zeros(dtype, shape);
    for (let i = 0; i < values.length; i++) t.set(i, values[i]!);
    return t;
  }

  get byteLength(): number {
    return byteLength(this.dtype, this.size);
  }

  /** Element i as a JS number (i64 converted, i4/u4 unpacked, halves widened). */
  get(i: number): number {
    const d = this.data;
    switch (this.dtype) {
      case "i64": case "u64": return Number((d as BigInt64Array)[i]);
      case "f16": return f16BitsToF32((d as Uint16Array)[i]!);
      case "bf16": return bf16BitsToF32((d as Uint16Array)[i]!);
      case "i4": { const b = (d as Uint8Array)[i >> 1]!; const n = i & 1 ? b >> 4 : b & 15; return n >= 8 ? n - 16 : n; }
      case "u4": { const b = (d as Uint8Array)[i >> 1]!; return i & 1 ? b >> 4 : b & 15; }
      case "string": throw new Error("Tensor.get on a string tensor");
      default: return (d as Float32Array)[i]!;
    }
  }

  /** Sets element i from a JS number (only for tensors being built; never on a shared weight). */
  set(i: number, v: number): void {
    const d = this.data;
    switch (this.dtype) {
      case "i64": (d as BigInt64Array)[i] = BigInt(Math.trunc(v)); break;
      case "u64": (d as BigUint64Array)[i] = BigInt(Math.trunc(v)); break;
      case "f16": (d as Uint16Array)[i] = f32ToF16Bits(v); break;
      case "bf16": (d as Uint16Array)[i] = f32ToBf16Bits(v); break;
      case "i4": case "u4": {
        const a = d as Uint8Array;
        const n = v & 15;
        a[i >> 1] = i & 1 ? (a[i >> 1]! & 0x0f) | (n << 4) : (a[i >> 1]! & 0xf0) | n;
        break;
      }
      case "bool": (d as Uint8Array)[i] = v ? 1 : 0; break;
      case "string": throw new Error("Tensor.set on a string tensor");
      default: (d as Float32Array)[i] = v;
    }
  }

  /** All elements as JS numbers. */
  toNumbers(): number[] {
    const out = new Array<number>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.get(i);
    return out;
  }

  /** A Float32Array view (the data itself for f32, a widened copy otherwise). */
  toF32(): Float32Array {
    if (this.dtype === "f32") return this.data as Float32Array;
    const out = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.get(i);
    return out;
  }

  withShape(shape: readonly number[]): Tensor {
    return new Tensor(this.dtype, shape, this.data);
  }
}
