/**
 * How a granularity maps the elements of a row-major tensor to scale slots, as runs of
 * consecutive elements: a run either shares one slot, or maps element start + r to slot
 * k + r ("strided": per-axis on the last axis, per-group on any axis but the last). The
 * weight-quantization loops (ts.ts, wasm.ts) walk these runs instead of a per-element
 * scale index.
 */
import type { Granularity } from "../types.js";

export type RunVisitor = (start: number, end: number, k: number, strided: boolean) => void;

/**
 * Calls f(start, end, k, strided) for consecutive runs [start, end) covering a row-major
 * tensor of the given shape in order. strided false: every element of the run uses scale
 * slot k; strided true: element start + r uses slot k + r. Slots are numbered as ir's
 * scaleIndex numbers them (per-token is treated as per-tensor, as scaleIndex does).
 */
export function forEachScaleRun(shape: readonly number[], g: Granularity, f: (start: number, end: number, k: number, strided: boolean) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  if (g.kind === "per-tensor" || g.kind === "per-token") return f(0, n, 0, false);
  const axis = g.axis;
  const len = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = n / (len * inner);
  if (g.kind === "per-axis") {
    if (inner === 1) for (let o = 0; o < outer; o++) f(o * len, (o + 1) * len, 0, true);
    else for (let o = 0, i = 0; o < outer; o++) for (let a = 0; a < len; a++, i += inner) f(i, i + inner, a, false);
    return;
  }
  const gs = g.groupSize;
  const groups = Math.ceil(len / gs);
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const row = o * len;
      for (let j = 0; j < groups; j++) f(row + j * gs, row + Math.min(len, (j + 1) * gs), o * groups + j, false);
    }
    return;
  }
  for (let o = 0, i = 0; o < outer; o++) for (let a = 0; a < len; a++, i += inner) f(i, i + inner, (o * groups + Math.floor(a / gs)) * inner, true);
}
