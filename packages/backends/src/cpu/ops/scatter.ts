/**
 * Scatter kernels: ScatterElements, ScatterND. The output starts as a copy of data; updates
 * are applied in index order (with duplicate indices and reduction "none" the last wins).
 */
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits, type Tensor } from "@quantpass/ir";
import { defineKernel } from "../kernel-registry.js";
import { elementOffsets, ndOffsets } from "./gather.js";
import { cloneTensor, intsOf, normAxisK, wordsOf } from "./move-util.js";

/** Writes update element u into output element o (flat element indices). */
type Apply = (o: number, u: number) => void;

function applier(out: Tensor, upd: Tensor, reduction: string, fail: (m: string) => never): Apply {
  if (reduction === "none") {
    const d = wordsOf(out, "Scatter"), s = wordsOf(upd, "Scatter");
    const w = d.w, da = d.a, sa = s.a;
    return w === 1 ? (o, u) => { da[o] = sa[u]!; } : (o, u) => { da[2 * o] = sa[2 * u]!; da[2 * o + 1] = sa[2 * u + 1]!; };
  }
  const dt = out.dtype;
  if (dt === "string" || dt === "i4" || dt === "u4") fail(`reduction '${reduction}' is not supported for ${dt}`);
  if (dt === "i64" || dt === "u64") {
    const a = out.data as BigInt64Array, b = upd.data as BigInt64Array;
    const f = {
      add: (x: bigint, y: bigint) => x + y, mul: (x: bigint, y: bigint) => x * y,
      max: (x: bigint, y: bigint) => (x > y ? x : y), min: (x: bigint, y: bigint) => (x < y ? x : y),
    }[reduction as "add"];
    if (!f) fail(`unknown reduction '${reduction}'`);
    return (o, u) => { a[o] = f(a[o]!, b[u]!); };
  }
  const intMul = dt === "i32" || dt === "u32";
  const f = {
    add: (x: number, y: number) => x + y,
    mul: intMul ? (x: number, y: number) => Math.imul(x, y) : (x: number, y: number) => x * y,
    max: (x: number, y: number) => (x > y || Number.isNaN(x) ? x : y),
    min: (x: number, y: number) => (x < y || Number.isNaN(x) ? x : y),
  }[reduction as "add"];
  if (!f) fail(`unknown reduction '${reduction}'`);
  if (dt === "f16" || dt === "bf16") {
    const [dec, enc] = dt === "f16" ? [f16BitsToF32, f32ToF16Bits] : [bf16BitsToF32, f32ToBf16Bits];
    const a = out.data as Uint16Array, b = upd.data as Uint16Array;
    return (o, u) => { a[o] = enc(f(dec(a[o]!), dec(b[u]!))); };
  }
  if (dt === "bool") {
    const a = out.data as Uint8Array, b = upd.data as Uint8Array;
    return (o, u) => { a[o] = f(a[o]!, b[u]!) ? 1 : 0; };
  }
  const a = out.data as Float32Array, b = upd.data as Float32Array; // any plain numeric typed array
  return (o, u) => { a[o] = f(a[o]!, b[u]!); };
}

defineKernel("ScatterElements", ([x, ind, upd], ctx) => {
  const axis = normAxisK(ctx.attr<number>("axis"), x!.shape.length, ctx.fail);
  if (upd!.shape.length !== ind!.shape.length || upd!.shape.some((d, i) => d !== ind!.shape[i]))
    ctx.fail(`updates shape [${upd!.shape}] differs from indices shape [${ind!.shape}]`);
  if (upd!.dtype !== x!.dtype) ctx.fail(`updates must be ${x!.dtype}, got ${upd!.dtype}`);
  const offs = elementOffsets(x!.shape, ind!.shape, intsOf(ind!), axis, ctx.fail);
  const out = cloneTensor(x!);
  const apply = applier(out, upd!, ctx.attr<string>("reduction"), ctx.fail);
  for (let i = 0; i < offs.length; i++) apply(offs[i]!, i);
  return [out];
});

defineKernel("ScatterND", ([x, ind, upd], ctx) => {
  if (upd!.dtype !== x!.dtype) ctx.fail(`updates must be ${x!.dtype}, got ${upd!.dtype}`);
  const { offsets, slice } = ndOffsets(x!.shape, ind!, 0, ctx.fail);
  const m = ind!.shape[ind!.shape.length - 1]!;
  const want = [...ind!.shape.slice(0, -1), ...x!.shape.slice(m)];
  if (upd!.shape.length !== want.length || upd!.shape.some((d, i) => d !== want[i]))
    ctx.fail(`updates must have shape [${want}], got [${upd!.shape}]`);
  const out = cloneTensor(x!);
  const apply = applier(out, upd!, ctx.attr<string>("reduction"), ctx.fail);
  for (let s = 0; s < offsets.length; s++) for (let k = 0; k < slice; k++) apply(offsets[s]! + k, s * slice + k);
  return [out];
});
