/** DepthToSpace / SpaceToDepth: a 6-D reshape, a transpose, and a reshape back. */
import type { Tensor } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { transpose } from "./layout.js";

function dims(x: Tensor, ctx: KernelContext): [number, number, number, number, number] {
  if (x.shape.length !== 4) ctx.fail(`input must be 4-D [N,C,H,W], got rank ${x.shape.length}`);
  const b = ctx.attr<number>("blocksize");
  if (b < 1) ctx.fail(`blocksize must be >= 1, got ${b}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return [n, c, h, w, b];
}

defineKernel("DepthToSpace", ([x], ctx) => {
  const [n, c, h, w, b] = dims(x!, ctx);
  if (c % (b * b) !== 0) ctx.fail(`channels ${c} not divisible by blocksize² ${b * b}`);
  const c2 = c / (b * b);
  const crd = ctx.attr<string>("mode") === "CRD";
  const six = crd ? x!.withShape([n, c2, b, b, h, w]) : x!.withShape([n, b, b, c2, h, w]);
  const t = transpose(six, crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2]);
  return [t.withShape([n, c2, h * b, w * b])];
});

defineKernel("SpaceToDepth", ([x], ctx) => {
  const [n, c, h, w, b] = dims(x!, ctx);
  if (h % b !== 0 || w % b !== 0) ctx.fail(`spatial dims ${h}x${w} not divisible by blocksize ${b}`);
  const t = transpose(x!.withShape([n, c, h / b, b, w / b, b]), [0, 3, 5, 1, 2, 4]);
  return [t.withShape([n, c * b * b, h / b, w / b])];
});
