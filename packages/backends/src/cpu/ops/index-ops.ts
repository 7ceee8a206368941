/** Index-producing and masking kernels: OneHot, Trilu, NonZero, TopK, EyeLike. */
import { dtypeFromOnnxCode, Tensor } from "@quantpass/ir";
import { defineKernel } from "../kernel-registry.js";
import { cloneTensor, emptyTensor, i64Tensor, intsOf, normAxisK, numelOf, takeFlat, wordsOf } from "./move-util.js";

defineKernel("OneHot", ([ind, dep, vals], ctx) => {
  if (vals!.size !== 2) ctx.fail(`values must hold [off, on], got ${vals!.size} elements`);
  const depth = Math.trunc(dep!.get(0));
  if (depth < 1) ctx.fail(`depth must be >= 1, got ${depth}`);
  const r = ind!.shape.length + 1;
  const a = normAxisK(ctx.attr<number>("axis"), r, ctx.fail);
  const idx = ind!.dtype === "i64" || ind!.dtype === "u64" ? intsOf(ind!) : ind!.toNumbers().map(Math.trunc);
  const outer = numelOf(ind!.shape.slice(0, a)), inner = numelOf(ind!.shape.slice(a));
  const t = new Float64Array(outer * depth * inner);
  let p = 0;
  for (let o = 0; o < outer; o++)
    for (let d = 0; d < depth; d++)
      for (let i = 0; i < inner; i++) {
        let v = idx[o * inner + i]!;
        if (v < 0) v += depth;
        t[p++] = v === d ? 1 : 0;
      }
  return [takeFlat(vals!, [...ind!.shape.slice(0, a), depth, ...ind!.shape.slice(a)], t)];
});

defineKernel("Trilu", ([x, kt], ctx) => {
  const k = kt ? intsOf(kt)[0]! : 0;
  const upper = ctx.attr<number>("upper") !== 0;
  const r = x!.shape.length;
  if (r < 2) ctx.fail(`input must have rank >= 2, got ${r}`);
  const rows = x!.shape[r - 2]!, cols = x!.shape[r - 1]!;
  const out = cloneTensor(x!);
  const { a, w } = wordsOf(out, "Trilu");
  const zero = Array.isArray(a) ? "" : 0;
  const mats = numelOf(x!.shape.slice(0, r - 2));
  for (let m = 0; m < mats; m++)
    for (let i = 0; i < rows; i++) {
      const base = (m * rows + i) * cols;
      // upper keeps j >= i + k; lower keeps j <= i + k
      const [lo, hi] = upper ? [0, Math.min(cols, Math.max(0, i + k))] : [Math.max(0, Math.min(cols, i + k + 1)), cols];
      for (let j = lo * w; j < hi * w; j++) a[base * w + j] = zero;
    }
  return [out];
});

/** Whether element i is non-zero (-0 is zero, NaN is not). */
function nonZeroTest(t: Tensor): (i: number) => boolean {
  const d = t.data;
  switch (t.dtype) {
    case "i64": case "u64": return (i) => (d as BigInt64Array)[i] !== 0n;
    case "f16": case "bf16": return (i) => ((d as Uint16Array)[i]! & 0x7fff) !== 0;
    case "string": return (i) => (d as string[])[i] !== "";
    case "i4": case "u4": return (i) => t.get(i) !== 0;
    default: return (i) => (d as Float32Array)[i] !== 0;
  }
}

defineKernel("NonZero", ([x]) => {
  const test = nonZeroTest(x!);
  const shape = x!.shape.length ? x!.shape : [1];
  const r = shape.length;
  const hits: number[] = [];
  for (let i = 0; i < x!.size; i++) if (test(i)) hits.push(i);
  const n = hits.length;
  const out = new BigInt64Array(r * n);
  hits.forEach((flat, j) => {
    for (let k = r - 1; k >= 0; k--) {
      out[k * n + j] = BigInt(flat % shape[k]!);
      flat = Math.floor(flat / shape[k]!);
    }
  });
  return [new Tensor("i64", [r, n], out)];
});

/** Sort keys of a tensor (numbers, or bigints for 64-bit integers). */
function keysOf(t: Tensor): ArrayLike<number | bigint> {
  if (t.dtype === "i4" || t.dtype === "u4" || t.dtype === "f16" || t.dtype === "bf16" || t.dtype === "bool") return t.toF32();
  if (t.dtype === "string") throw new Error("TopK does not support strings");
  return t.data as ArrayLike<number | bigint>;
}

/**
 * Positions of the k best of d keys (key(j) for j < d), best first: larger (or smaller) keys
 * first, NaN above everything, ties to the lower position. A size-k heap when k is small
 * against d, a full sort otherwise.
 */
export function topK(d: number, k: number, key: (j: number) => number | bigint, largest: boolean): number[] {
  const sign = largest ? 1 : -1;
  // > 0 when position p ranks before q
  const cmp = (p: number, q: number): number => {
    const a = key(p), b = key(q);
    const na = a !== a, nb = b !== b; // NaN checks (bigints are never NaN)
    if (na || nb) return na && nb ? q - p : na ? sign : -sign;
    return a > b ? sign : a < b ? -sign : q - p;
  };
  if (k * 4 >= d) return Array.from({ length: d }, (_, j) => j).sort((p, q) => cmp(q, p)).slice(0, k);
  // min-heap of the current best k: the root ranks last
  const h: number[] = [];
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && cmp(h[m]!, h[l]!) > 0) m = l;
      if (r < h.length && cmp(h[m]!, h[r]!) > 0) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  };
  for (let j = 0; j < d; j++) {
    if (h.length < k) {
      h.push(j);
      for (let i = h.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (cmp(h[p]!, h[i]!) <= 0) break;
        [h[i], h[p]] = [h[p]!, h[i]!];
        i = p;
      }
    } else if (k > 0 && cmp(j, h[0]!) > 0) {
      h[0] = j;
      down(0);
    }
  }
  return h.sort((p, q) => cmp(q, p));
}

defineKernel("TopK", ([x, kt], ctx) => {
  const r = x!.shape.length;
  const a = normAxisK(ctx.attr<number>("axis"), r, ctx.fail);
  const k = intsOf(kt!)[0]!;
  const d = x!.shape[a]!;
  if (k < 0 || k > d) ctx.fail(`k ${k} out of range for axis size ${d}`);
  const largest = ctx.attr<number>("largest") !== 0;
  const keys = keysOf(x!);
  const outer = numelOf(x!.shape.slice(0, a)), inner = numelOf(x!.shape.slice(a + 1));
  const shape = x!.shape.map((e, i) => (i === a ? k : e));
  const offs = new Float64Array(outer * k * inner);
  const idx = new Array<number>(outer * k * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * d * inner + i;
      const best = topK(d, k, (j) => keys[base + j * inner]!, largest);
      for (let j = 0; j < k; j++) {
        const at = (o * k + j) * inner + i;
        idx[at] = best[j]!;
        offs[at] = base + best[j]! * inner;
      }
    }
  return [takeFlat(x!, shape, offs), i64Tensor(shape, idx)];
});

defineKernel("EyeLike", ([x], ctx) => {
  const dtype = ctx.has("dtype") ? dtypeFromOnnxCode(ctx.attr<number>("dtype")) : x!.dtype;
  if (!dtype || dtype === "string") return ctx.fail(`unsupported dtype code ${ctx.attr<number>("dtype")}`);
  if (x!.shape.length !== 2) ctx.fail(`input must be 2-D, got rank ${x!.shape.length}`);
  const [rows, cols] = x!.shape as [number, number];
  const k = ctx.attr<number>("k");
  const out = emptyTensor(dtype, [rows, cols]);
  for (let i = 0; i < rows; i++) if (i + k >= 0 && i + k < cols) out.set(i * cols + i + k, 1);
  return [out];
});
