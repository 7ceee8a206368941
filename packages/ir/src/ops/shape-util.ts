/** Helpers shared by op type inference: broadcasting, axis normalisation, constant reads. */
import type { InferContext } from "../op-registry.js";
import type { Tensor } from "../tensor.js";
import type { Dim, TensorType } from "../types.js";

export const UNKNOWN: Dim = "?";

/** Numpy-style multidirectional broadcast of shapes; fails on a known mismatch. */
export function broadcastShapes(ctx: InferContext, shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      if (k < 0) continue;
      const e = s[k]!;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (typeof d === "number" && typeof e === "number") {
        if (d !== e) ctx.fail(`cannot broadcast shapes ${shapes.map((x) => `[${x.join(",")}]`).join(" and ")}`);
      } else if (typeof d !== "number" && typeof e === "number") d = e;
      else if (typeof d === "string" && typeof e === "string" && d !== e) d = UNKNOWN;
    }
    out.push(d);
  }
  return out;
}

/** Normalises a possibly negative axis for a tensor of the given rank. */
export function normAxis(ctx: InferContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) ctx.fail(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** The input type at i, failing with a clear message if it is missing. */
export function input(ctx: InferContext, i: number): TensorType {
  const t = ctx.inputs[i];
  if (!t) return ctx.fail(`input ${i} is missing or has no type`);
  return t;
}

/** Integer values of a constant input (shape, axes, pads...), or undefined when not constant. */
export function constInts(ctx: InferContext, i: number): number[] | undefined {
  const t: Tensor | undefined = ctx.constant(i);
  return t ? t.toNumbers() : undefined;
}

export function unknownShape(rank: number): Dim[] {
  return new Array<Dim>(rank).fill(UNKNOWN);
}

/** Product of dims, or "?" when any is not a known number. */
export function dimProduct(dims: readonly Dim[]): Dim {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== "number") return UNKNOWN;
    p *= d;
  }
  return p;
}

export function same(t: TensorType): TensorType[] {
  return [{ dtype: t.dtype, shape: t.shape }];
}
