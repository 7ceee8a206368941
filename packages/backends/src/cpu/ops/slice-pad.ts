/** Slice and Pad kernels: per-axis source tables fed to the generic mapCopy loop. */
import { sliceBounds, type Tensor } from "@quantpass/ir";
import { defineKernel } from "../kernel-registry.js";
import { axisTable, FILL, intsOf, mapCopy, normAxisK, stridesOf } from "./move-util.js";

function axesOf(t: Tensor | undefined, n: number, rank: number, fail: (m: string) => never): number[] {
  const axes = t ? intsOf(t).map((a) => normAxisK(a, rank, fail)) : [...Array(n).keys()];
  if (new Set(axes).size !== axes.length) fail(`axes [${axes}] repeat an axis`);
  return axes;
}

defineKernel("Slice", ([x, st, en, ax, sp], ctx) => {
  const starts = intsOf(st!), ends = intsOf(en!);
  const r = x!.shape.length;
  const axes = axesOf(ax, starts.length, r, ctx.fail);
  const steps = sp ? intsOf(sp) : axes.map(() => 1);
  if (ends.length !== axes.length || starts.length !== axes.length || steps.length !== axes.length)
    ctx.fail(`starts/ends/axes/steps lengths differ: ${starts.length}/${ends.length}/${axes.length}/${steps.length}`);
  if (steps.includes(0)) ctx.fail("steps must not be 0");
  const strides = stridesOf(x!.shape);
  const shape = [...x!.shape];
  const tables = x!.shape.map((d, k) => axisTable(d, strides[k]!));
  axes.forEach((a, k) => {
    const [s, n] = sliceBounds(starts[k]!, ends[k]!, steps[k]!, x!.shape[a]!);
    shape[a] = n;
    tables[a] = axisTable(n, strides[a]!, s, steps[k]!);
  });
  return [mapCopy(x!, shape, tables)];
});

/** Source index along an axis of size d for padded coordinate i (outside [0, d)). */
function padIndex(mode: string, i: number, d: number): number {
  switch (mode) {
    case "edge": return Math.min(Math.max(i, 0), d - 1);
    case "wrap": return ((i % d) + d) % d;
    case "reflect": {
      if (d === 1) return 0;
      const p = 2 * (d - 1);
      const m = ((i % p) + p) % p;
      return m < d ? m : p - m;
    }
    default: return -1;
  }
}

defineKernel("Pad", ([x, p, cv, ax], ctx) => {
  const mode = ctx.attr<string>("mode");
  if (!["constant", "reflect", "edge", "wrap"].includes(mode)) ctx.fail(`unknown mode '${mode}'`);
  const pads = intsOf(p!);
  const r = x!.shape.length;
  if (pads.length % 2 !== 0) ctx.fail(`pads must have an even number of entries, got ${pads.length}`);
  const axes = axesOf(ax, r, r, ctx.fail); // default: every axis
  if (pads.length !== 2 * axes.length) ctx.fail(`pads has ${pads.length} entries for ${axes.length} axes`);
  if (cv && cv.dtype !== x!.dtype) ctx.fail(`constant_value must be ${x!.dtype}, got ${cv.dtype}`);
  const strides = stridesOf(x!.shape);
  const shape = [...x!.shape];
  const tables = x!.shape.map((d, k) => axisTable(d, strides[k]!));
  axes.forEach((a, k) => {
    const b = pads[k]!, e = pads[k + axes.length]!, d = x!.shape[a]!;
    const n = d + b + e;
    if (n < 0) ctx.fail(`pads crop axis ${a} of size ${d} below zero`);
    if (mode !== "constant" && d === 0 && n > 0) ctx.fail(`${mode} padding needs a non-empty axis ${a}`);
    const t = new Float64Array(n);
    for (let o = 0; o < n; o++) {
      const i = o - b;
      const j = i >= 0 && i < d ? i : padIndex(mode, i, d);
      t[o] = j < 0 ? FILL : j * strides[a]!;
    }
    shape[a] = n;
    tables[a] = t;
  });
  return [mapCopy(x!, shape, tables, mode === "constant" && cv && cv.size > 0 ? cv : undefined)];
});
