/** Layout and generation kernels: Transpose, Expand, Tile, Concat, Split, ConstantOfShape, Range. */
import { allocData, rangeLength, splitSizes, Tensor } from "@quantpass/ir";
import { defineKernel } from "../kernel-registry.js";
import { broadcastShape } from "./broadcast.js";
import { axisTable, copyRun, emptyTensor, intsOf, mapCopy, normAxisK, numelOf, stridesOf, wordsOf } from "./move-util.js";

/**
 * Merges output axes that stay adjacent and in order in the input (perm [0,2,3,1] on
 * [n,c,h,w] is perm [0,2,1] on [n,c,h*w]); drops size-1 axes.
 */
export function coalescePerm(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const keep = perm.filter((p) => shape[p] !== 1);
  const groups: number[][] = [];
  for (const p of keep) {
    const g = groups[groups.length - 1];
    if (g && g[g.length - 1]! + 1 === p) g.push(p);
    else groups.push([p]);
  }
  const order = [...groups].sort((a, b) => a[0]! - b[0]!);
  return {
    shape: order.map((g) => g.reduce((n, p) => n * shape[p]!, 1)),
    perm: groups.map((g) => order.indexOf(g)),
  };
}

/** Batched 2-D transpose [B, R, C] → [B, C, R] in cache-sized tiles. */
function transpose2d(x: Tensor, outShape: readonly number[], B: number, R: number, C: number): Tensor {
  const out = emptyTensor(x.dtype, outShape);
  const { a: s, w } = wordsOf(x, "Transpose");
  const d = wordsOf(out, "Transpose").a;
  const T = 32;
  for (let b = 0; b < B; b++) {
    const base = b * R * C * w;
    for (let r0 = 0; r0 < R; r0 += T)
      for (let c0 = 0; c0 < C; c0 += T) {
        const r1 = Math.min(R, r0 + T), c1 = Math.min(C, c0 + T);
        for (let c = c0; c < c1; c++) {
          let o = base + (c * R + r0) * w, i = base + (r0 * C + c) * w;
          if (w === 1) for (let r = r0; r < r1; r++, i += C) d[o++] = s[i]!;
          else for (let r = r0; r < r1; r++, i += C * w, o += w) { d[o] = s[i]!; d[o + 1] = s[i + 1]!; }
        }
      }
  }
  return out;
}

/** Output axis k walks input axis perm[k]. */
export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => x.shape[p]!);
  const c = coalescePerm(x.shape, perm);
  const m = c.perm.length;
  if (m >= 2 && c.perm[m - 1] === m - 2 && c.perm[m - 2] === m - 1 && c.perm.slice(0, m - 2).every((p, i) => p === i))
    return transpose2d(x, shape, numelOf(c.shape.slice(0, m - 2)), c.shape[m - 2]!, c.shape[m - 1]!);
  const st = stridesOf(c.shape);
  const cs = c.perm.map((p) => c.shape[p]!);
  return mapCopy(x, cs, c.perm.map((p, k) => axisTable(cs[k]!, st[p]!))).withShape(shape);
}

defineKernel("Transpose", ([x], ctx) => {
  const r = x!.shape.length;
  const perm = ctx.has("perm") ? ctx.attr<number[]>("perm") : [...Array(r).keys()].reverse();
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) ctx.fail(`perm [${perm}] is not a permutation of ${r} axes`);
  return [transpose(x!, perm)];
});

/** Tables reading x broadcast (numpy rules) to `shape`. */
function broadcastTables(x: Tensor, shape: readonly number[]): Float64Array[] {
  const st = stridesOf(x.shape);
  const off = shape.length - x.shape.length;
  return shape.map((d, k) => {
    const i = k - off;
    return i < 0 || x.shape[i] === 1 ? new Float64Array(d) : axisTable(d, st[i]!);
  });
}

defineKernel("Expand", ([x, s], ctx) => {
  let shape: number[];
  try {
    shape = broadcastShape(x!.shape, intsOf(s!));
  } catch {
    return ctx.fail(`cannot expand [${x!.shape}] to [${intsOf(s!)}]`);
  }
  return [mapCopy(x!, shape, broadcastTables(x!, shape))];
});

defineKernel("Tile", ([x, rep], ctx) => {
  const reps = intsOf(rep!);
  if (reps.length !== x!.shape.length) ctx.fail(`repeats has ${reps.length} entries for rank ${x!.shape.length}`);
  if (reps.some((v) => v < 0)) ctx.fail("repeats must be non-negative");
  const st = stridesOf(x!.shape);
  const shape = x!.shape.map((d, i) => d * reps[i]!);
  const tables = shape.map((n, k) => {
    const t = new Float64Array(n), d = x!.shape[k]!;
    for (let o = 0; o < n; o++) t[o] = (o % d) * st[k]!;
    return t;
  });
  return [mapCopy(x!, shape, tables)];
});

defineKernel("Concat", (inputs, ctx) => {
  const xs = inputs.map((t) => t!);
  const r = xs[0]!.shape.length;
  const axis = normAxisK(ctx.attr<number>("axis"), r, ctx.fail);
  for (const t of xs)
    if (t.dtype !== xs[0]!.dtype || t.shape.length !== r || t.shape.some((d, i) => i !== axis && d !== xs[0]!.shape[i]))
      ctx.fail(`cannot concatenate ${xs.map((u) => `${u.dtype}[${u.shape}]`).join(", ")} on axis ${axis}`);
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((a, t) => a + t.shape[axis]!, 0);
  const out = emptyTensor(xs[0]!.dtype, shape);
  if (out.size === 0) return [out];
  const o = wordsOf(out, "Concat");
  const outer = numelOf(shape.slice(0, axis));
  const inner = numelOf(shape.slice(axis + 1)) * o.w;
  const srcs = xs.map((t) => ({ a: wordsOf(t, "Concat").a, chunk: t.shape[axis]! * inner }));
  const row = shape[axis]! * inner;
  for (let i = 0; i < outer; i++) {
    let j = i * row;
    for (const s of srcs) {
      copyRun(o.a, j, s.a, i * s.chunk, s.chunk);
      j += s.chunk;
    }
  }
  return [out];
});

defineKernel("Split", ([x, split], ctx) => {
  const r = x!.shape.length;
  const axis = normAxisK(ctx.attr<number>("axis"), r, ctx.fail);
  const d = x!.shape[axis]!;
  const n = ctx.node.outputs.length;
  const sizes = split ? intsOf(split) : splitSizes(d, ctx.has("num_outputs") ? ctx.attr<number>("num_outputs") : n);
  if (sizes.length !== n) ctx.fail(`${sizes.length} parts for ${n} outputs`);
  if (sizes.some((s) => s < 0) || sizes.reduce((a, b) => a + b, 0) !== d) ctx.fail(`split sizes [${sizes}] do not sum to dim ${d}`);
  const src = wordsOf(x!, "Split");
  const outer = numelOf(x!.shape.slice(0, axis));
  const inner = numelOf(x!.shape.slice(axis + 1)) * src.w;
  const row = d * inner;
  let off = 0;
  return sizes.map((s) => {
    const out = emptyTensor(x!.dtype, x!.shape.map((e, i) => (i === axis ? s : e)));
    const chunk = s * inner;
    if (out.size > 0) {
      const o = wordsOf(out, "Split").a;
      for (let i = 0; i < outer; i++) copyRun(o, i * chunk, src.a, i * row + off, chunk);
    }
    off += chunk;
    return out;
  });
});

defineKernel("ConstantOfShape", ([s], ctx) => {
  const v = ctx.attr<Tensor>("value");
  const shape = intsOf(s!);
  if (shape.some((d) => d < 0)) ctx.fail(`shape [${shape}] has a negative dim`);
  return [mapCopy(v, shape, shape.map((d) => new Float64Array(d)))];
});

defineKernel("Range", ([s, l, d], ctx) => {
  const dtype = s!.dtype;
  if (d!.get(0) === 0) ctx.fail("delta must not be 0");
  const n = rangeLength(s!, l!, d!);
  if (dtype === "i64") {
    const [a, c] = [s, d].map((t) => (t!.data as BigInt64Array)[0]!) as [bigint, bigint];
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = a + BigInt(i) * c;
    return [new Tensor("i64", [n], out)];
  }
  const [a, c] = [s, d].map((t) => t!.get(0)) as [number, number];
  const out = new Tensor(dtype, [n], allocData(dtype, n));
  if (dtype === "f32") {
    // accumulate in f32 like onnxruntime: v_{i+1} = f32(v_i + delta)
    const o = out.data as Float32Array;
    let v = a;
    for (let i = 0; i < n; i++) { o[i] = v; v = Math.fround(v + c); }
  } else for (let i = 0; i < n; i++) out.set(i, a + i * c);
  return [out];
});
