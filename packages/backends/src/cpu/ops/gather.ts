/** Gather kernels: Gather, GatherElements, GatherND (flat source offsets fed to mapCopy). */
import type { Tensor } from "@quantpass/ir";
import { defineKernel } from "../kernel-registry.js";
import { axisTable, intsOf, mapCopy, normAxisK, numelOf, stridesOf, takeFlat } from "./move-util.js";

/** Normalises an index into [0, d) (negative counts from the end); fails when out of range. */
export function normIndex(i: number, d: number, fail: (m: string) => never): number {
  const j = i < 0 ? i + d : i;
  if (j < 0 || j >= d) fail(`index ${i} out of range for axis of size ${d}`);
  return j;
}

defineKernel("Gather", ([x, ind], ctx) => {
  const r = x!.shape.length;
  const a = normAxisK(ctx.attr<number>("axis"), r, ctx.fail);
  const idx = intsOf(ind!);
  const st = stridesOf(x!.shape);
  const d = x!.shape[a]!;
  const t = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) t[i] = normIndex(idx[i]!, d, ctx.fail) * st[a]!;
  const flatShape = x!.shape.map((e, k) => (k === a ? idx.length : e));
  const tables = x!.shape.map((e, k) => (k === a ? t : axisTable(e, st[k]!)));
  const out = mapCopy(x!, flatShape, tables);
  return [out.withShape([...x!.shape.slice(0, a), ...ind!.shape, ...x!.shape.slice(a + 1)])];
});

/**
 * Flat data offsets for GatherElements/ScatterElements: position p of `indexShape` maps to
 * data[p with axis replaced by indices[p]].
 */
export function elementOffsets(dataShape: readonly number[], indexShape: readonly number[], idx: readonly number[], axis: number, fail: (m: string) => never): Float64Array {
  const r = dataShape.length;
  if (indexShape.length !== r) fail(`indices rank ${indexShape.length} differs from data rank ${r}`);
  for (let k = 0; k < r; k++)
    if (k !== axis && indexShape[k]! > dataShape[k]!) fail(`indices dim ${k} (${indexShape[k]}) exceeds data dim ${dataShape[k]}`);
  const st = stridesOf(dataShape);
  const n = idx.length;
  const out = new Float64Array(n);
  const pos = new Array<number>(r).fill(0);
  let base = 0; // sum over k != axis of pos[k] * st[k]
  for (let i = 0; i < n; i++) {
    out[i] = base + normIndex(idx[i]!, dataShape[axis]!, fail) * st[axis]!;
    for (let k = r - 1; k >= 0; k--) {
      pos[k]++;
      if (k !== axis) base += st[k]!;
      if (pos[k]! < indexShape[k]!) break;
      if (k !== axis) base -= st[k]! * indexShape[k]!;
      pos[k] = 0;
    }
  }
  return out;
}

defineKernel("GatherElements", ([x, ind], ctx) => {
  const axis = normAxisK(ctx.attr<number>("axis"), x!.shape.length, ctx.fail);
  return [takeFlat(x!, ind!.shape, elementOffsets(x!.shape, ind!.shape, intsOf(ind!), axis, ctx.fail))];
});

/**
 * GatherND/ScatterND addressing: for each index tuple, the flat offset of the addressed
 * slice in data, and the slice size. `b` leading batch dims are shared.
 */
export function ndOffsets(dataShape: readonly number[], ind: Tensor, b: number, fail: (m: string) => never): { offsets: Float64Array; slice: number } {
  const q = ind.shape.length;
  if (q < 1) fail("indices must have rank >= 1");
  const m = ind.shape[q - 1]!;
  if (b < 0 || b >= q || b + m > dataShape.length) fail(`indices of shape [${ind.shape}] cannot address data [${dataShape}] with batch_dims ${b}`);
  for (let k = 0; k < b; k++) if (ind.shape[k] !== dataShape[k]) fail(`batch dim ${k} differs: ${ind.shape[k]} and ${dataShape[k]}`);
  const st = stridesOf(dataShape);
  const batches = numelOf(dataShape.slice(0, b));
  const perBatch = numelOf(ind.shape.slice(b, q - 1));
  const batchStride = numelOf(dataShape.slice(b));
  const idx = intsOf(ind);
  const offsets = new Float64Array(batches * perBatch);
  for (let s = 0; s < offsets.length; s++) {
    let off = Math.floor(s / perBatch) * batchStride;
    for (let j = 0; j < m; j++) off += normIndex(idx[s * m + j]!, dataShape[b + j]!, fail) * st[b + j]!;
    offsets[s] = off;
  }
  return { offsets, slice: numelOf(dataShape.slice(b + m)) };
}

defineKernel("GatherND", ([x, ind], ctx) => {
  const b = ctx.attr<number>("batch_dims");
  const { offsets, slice } = ndOffsets(x!.shape, ind!, b, ctx.fail);
  const m = ind!.shape[ind!.shape.length - 1]!;
  const out = mapCopy(x!, [offsets.length, slice], [offsets, axisTable(slice, 1)]);
  return [out.withShape([...ind!.shape.slice(0, -1), ...x!.shape.slice(b + m)])];
});
