/**
 * Shape and reshape kernels: Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze.
 * Reshapes share the input's storage (tensors are immutable), so they cost no copy.
 */
import type { Tensor } from "@quantpass/ir";
import { defineKernel } from "../kernel-registry.js";
import { i64Tensor, intsOf, normAxisK, numelOf } from "./move-util.js";

function bound(v: number, r: number): number {
  return Math.min(Math.max(v < 0 ? v + r : v, 0), r);
}

defineKernel("Shape", ([x], ctx) => {
  const r = x!.shape.length;
  const s = bound(ctx.attr<number>("start"), r);
  const e = ctx.has("end") ? bound(ctx.attr<number>("end"), r) : r;
  const dims = x!.shape.slice(s, Math.max(s, e));
  return [i64Tensor([dims.length], dims)];
});

defineKernel("Size", ([x]) => [i64Tensor([], [x!.size])]);

/** ONNX Reshape target shape: 0 copies the input dim (unless allowzero), one -1 is inferred. */
export function reshapeTarget(inShape: readonly number[], spec: readonly number[], allowzero: boolean, fail: (m: string) => never): number[] {
  const out = spec.map((s, i) => {
    if (s === 0 && !allowzero) {
      if (i >= inShape.length) fail(`shape [${spec}] copies dim ${i}, beyond input rank ${inShape.length}`);
      return inShape[i]!;
    }
    if (s < -1) fail(`shape [${spec}] has a negative dim`);
    return s;
  });
  const n = numelOf(inShape);
  const minus = out.indexOf(-1);
  if (minus >= 0) {
    if (out.indexOf(-1, minus + 1) >= 0) fail(`shape [${spec}] has more than one -1`);
    const rest = numelOf(out.filter((_, i) => i !== minus));
    if (rest === 0 || n % rest !== 0) fail(`cannot reshape [${inShape}] to [${spec}]`);
    out[minus] = n / rest;
  }
  if (numelOf(out) !== n) fail(`cannot reshape [${inShape}] (${n} elements) to [${spec}]`);
  return out;
}

defineKernel("Reshape", ([x, s], ctx) => [x!.withShape(reshapeTarget(x!.shape, intsOf(s!), ctx.attr<number>("allowzero") !== 0, ctx.fail))]);

defineKernel("Flatten", ([x], ctx) => {
  const r = x!.shape.length;
  let axis = ctx.attr<number>("axis");
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) ctx.fail(`axis ${ctx.attr<number>("axis")} out of range for rank ${r}`);
  return [x!.withShape([numelOf(x!.shape.slice(0, axis)), numelOf(x!.shape.slice(axis))])];
});

function axesOf(t: Tensor | undefined, rank: number, fail: (m: string) => never): number[] | undefined {
  if (!t) return undefined;
  const axes = intsOf(t).map((a) => normAxisK(a, rank, fail));
  if (new Set(axes).size !== axes.length) fail(`axes [${intsOf(t)}] repeat an axis`);
  return axes;
}

defineKernel("Squeeze", ([x, a], ctx) => {
  const axes = axesOf(a, x!.shape.length, ctx.fail);
  if (!axes) return [x!.withShape(x!.shape.filter((d) => d !== 1))];
  for (const k of axes) if (x!.shape[k] !== 1) ctx.fail(`cannot squeeze axis ${k} of size ${x!.shape[k]}`);
  return [x!.withShape(x!.shape.filter((_, i) => !axes.includes(i)))];
});

defineKernel("Unsqueeze", ([x, a], ctx) => {
  const r = x!.shape.length + a!.size;
  const axes = axesOf(a, r, ctx.fail)!;
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < r; i++) out.push(axes.includes(i) ? 1 : x!.shape[k++]!);
  return [x!.withShape(out)];
});
