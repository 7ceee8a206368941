/**
 * Cast and CastLike. Float → float rounds once to nearest even (f64 → f16/bf16 directly, not
 * through f32, as numpy does). Float → integer truncates like a C cast on x86-64: NaN and
 * values outside int32 (for ≤32-bit signed and ≤16-bit unsigned targets) or int64 (for
 * i64/u32/u64) give the "integer indefinite" minimum, then the target width wraps, so
 * 300.0 → u8 is 44 as in numpy. Integer → integer wraps; → int4/uint4 rounds half to even
 * and saturates; → bool is x != 0; numbers → strings use the shortest round-trip digits in
 * numpy's str() layout; strings parse decimal, "INF"/"+INF"/"-INF"/"NaN" (any case).
 */
import { Tensor, allocData, dtypeFromOnnxCode, f32ToBf16Bits, f32ToF16Bits, intRange, isFloat, type DType } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { isBigDType, nums, roundHalfEven, toBigInt, type BigArr } from "./elementwise-util.js";

/** Rounds x to a binary float with p significant bits and minimum normal exponent emin (no overflow handling). */
export function roundToPrecision(x: number, p: number, emin: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const q = 2 ** (Math.max(e, emin) - (p - 1));
  const r = roundHalfEven(a / q) * q;
  return x < 0 ? -r : r;
}
/** f64 → IEEE half bits, rounded once to nearest even. */
export const f64ToF16Bits = (x: number): number => f32ToF16Bits(roundToPrecision(x, 11, -14));
/** f64 → bfloat16 bits, rounded once to nearest even. */
export const f64ToBf16Bits = (x: number): number => f32ToBf16Bits(roundToPrecision(x, 8, -126));

/** Truncating float → integer of dtype d, as x86-64 C casts do (see the file comment). */
function floatToInt(v: number, d: DType): number {
  const t = Math.trunc(v);
  if (d === "u32") {
    if (!(t >= -9223372036854775808 && t < 9223372036854775808)) return 0;
    const r = t % 4294967296; // exact for integral doubles
    return r < 0 ? r + 4294967296 : r;
  }
  return t >= -2147483648 && t < 2147483648 ? t : -2147483648;
}

function floatToBig(v: number, d: DType): bigint {
  if (d === "u64" && v >= 9223372036854775808 && v < 18446744073709551616) return BigInt(Math.trunc(v));
  const b = toBigInt(v);
  return d === "u64" ? BigInt.asUintN(64, b) : b;
}

function parseNumber(s: string): number {
  const t = s.trim();
  if (/^[+]?inf(inity)?$/i.test(t)) return Infinity;
  if (/^-inf(inity)?$/i.test(t)) return -Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  const n = Number(t);
  return Number.isNaN(n) ? parseFloat(t) : n;
}

/** Shortest decimal that round-trips through `back`, laid out like numpy's str() / Python repr. */
export function formatFloat(x: number, back: (v: number) => number): string {
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  let exp = "";
  for (let p = 1; p <= 17; p++) {
    exp = x.toExponential(p - 1);
    if (back(Number(exp)) === x) break;
  }
  const [mant, e] = exp.split("e") as [string, string];
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const k = Number(e);
  let body: string;
  if (k >= -4 && k < 16) {
    if (k < 0) body = `0.${"0".repeat(-k - 1)}${digits}`;
    else if (digits.length > k + 1) body = `${digits.slice(0, k + 1)}.${digits.slice(k + 1)}`;
    else body = `${digits}${"0".repeat(k + 1 - digits.length)}.0`;
  } else {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${k < 0 ? "-" : "+"}${String(Math.abs(k)).padStart(2, "0")}`;
  }
  return neg ? `-${body}` : body;
}

function toStrings(t: Tensor): string[] {
  const out = new Array<string>(t.size);
  if (t.dtype === "string") return [...(t.data as string[])];
  if (isBigDType(t.dtype)) {
    const b = t.data as BigArr;
    for (let i = 0; i < t.size; i++) out[i] = b[i]!.toString();
    return out;
  }
  const v = nums(t);
  const back: Partial<Record<DType, (x: number) => number>> = {
    f32: Math.fround,
    f64: (x) => x,
    f16: (x) => roundToPrecision(x, 11, -14),
    bf16: (x) => roundToPrecision(x, 8, -126),
  };
  const f = back[t.dtype];
  for (let i = 0; i < t.size; i++) out[i] = f ? formatFloat(v[i]!, f) : t.dtype === "bool" ? (v[i] ? "True" : "False") : String(v[i]);
  return out;
}

/** Converts a tensor to dtype `to`. */
export function castTensor(t: Tensor, to: DType): Tensor {
  const from = t.dtype;
  if (from === to) return t;
  const n = t.size;
  if (to === "string") return new Tensor("string", t.shape, toStrings(t));
  const data = allocData(to, n);
  const out = new Tensor(to, t.shape, data);
  const srcFloat = isFloat(from) || from === "string";
  // Bigint sources/targets keep 64-bit integers exact.
  if (isBigDType(to)) {
    const o = data as BigArr;
    if (isBigDType(from)) {
      const x = t.data as BigArr;
      for (let i = 0; i < n; i++) o[i] = x[i]!; // typed-array store wraps modulo 2^64
    } else if (from === "string") {
      const s = t.data as string[];
      for (let i = 0; i < n; i++) o[i] = /^\s*[+-]?\d+\s*$/.test(s[i]!) ? BigInt(s[i]!.trim()) : floatToBig(parseNumber(s[i]!), to);
    } else {
      const x = nums(t);
      for (let i = 0; i < n; i++) o[i] = srcFloat ? floatToBig(x[i]!, to) : BigInt(x[i]!);
    }
    return out;
  }
  let x: ArrayLike<number>;
  if (from === "string") x = (t.data as string[]).map(parseNumber);
  else if (isBigDType(from)) {
    const b = t.data as BigArr;
    const narrowInt = !isFloat(to) && to !== "bool" && to !== "i4" && to !== "u4";
    x = Float64Array.from(b, (v) => (narrowInt ? Number(BigInt.asIntN(32, v)) : to === "bool" ? (v !== 0n ? 1 : 0) : Number(v)));
  } else x = nums(t);
  switch (to) {
    case "f32": case "f64": {
      const o = data as Float32Array;
      for (let i = 0; i < n; i++) o[i] = x[i]!;
      break;
    }
    case "f16": case "bf16": {
      const o = data as Uint16Array;
      // Values that are already f32 (f32/f16/bf16 sources, small integers) round once through the
      // fast f32 conversions; others (f64, wide integers) round directly from f64.
      const viaF32 = from === "f32" || from === "f16" || from === "bf16" || from === "bool" || from === "i8" || from === "u8" || from === "i16" || from === "u16";
      const conv = to === "f16" ? (viaF32 ? f32ToF16Bits : f64ToF16Bits) : viaF32 ? f32ToBf16Bits : f64ToBf16Bits;
      for (let i = 0; i < n; i++) o[i] = conv(x[i]!);
      break;
    }
    case "bool": {
      const o = data as Uint8Array;
      for (let i = 0; i < n; i++) o[i] = x[i] !== 0 ? 1 : 0;
      break;
    }
    case "i4": case "u4": {
      const [lo, hi] = intRange(to);
      for (let i = 0; i < n; i++) {
        const v = srcFloat ? roundHalfEven(x[i]!) : x[i]!;
        out.set(i, v !== v ? 0 : Math.min(hi, Math.max(lo, v)));
      }
      break;
    }
    default: {
      const o = data as Int32Array; // any ≤32-bit integer array: stores wrap to the width
      for (let i = 0; i < n; i++) o[i] = srcFloat ? floatToInt(x[i]!, to) : x[i]!;
    }
  }
  return out;
}

function castKernel(to: (inputs: readonly (Tensor | undefined)[], ctx: KernelContext) => DType) {
  return (inputs: readonly (Tensor | undefined)[], ctx: KernelContext): Tensor[] => [castTensor(inputs[0]!, to(inputs, ctx))];
}

defineKernel("Cast", castKernel((_, ctx) => {
  const code = ctx.attr<number>("to");
  return dtypeFromOnnxCode(code) ?? ctx.fail(`unsupported target data type code ${code}`);
}));
defineKernel("CastLike", castKernel((inputs) => inputs[1]!.dtype));
