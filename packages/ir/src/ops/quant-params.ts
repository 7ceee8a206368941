/** Reads quantization parameters from op attributes into a QuantType, validating them. */
import type { InferContext } from "../op-registry.js";
import { intRange } from "../dtype.js";
import type { AttrSpec } from "../op-registry.js";
import type { Dim, ExpressedDType, Granularity, QuantType, StorageDType } from "../types.js";

/** Attributes shared by ops that carry static quantization parameters. */
export const QUANT_ATTRS: Record<string, AttrSpec> = {
  storage: { kind: "string", default: "i8", doc: "i8 | u8 | i4 | u4" },
  axis: { kind: "int", default: -1, doc: "channel axis for per-axis/per-group; ignored when one scale" },
  group_size: { kind: "int", default: 0, doc: "group size along axis (0: not grouped)" },
  scale: { kind: "floats", required: true, doc: "float32 scales" },
  zero_point: { kind: "ints", default: [], doc: "zero points (empty: symmetric)" },
};

const STORAGE = ["i8", "u8", "i4", "u4"];

export function quantFromAttrs(ctx: InferContext, shape: readonly Dim[], expressed: ExpressedDType): QuantType {
  const storage = ctx.attr<string>("storage");
  if (!STORAGE.includes(storage)) ctx.fail(`storage must be one of ${STORAGE.join(", ")}, got '${storage}'`);
  const scale = ctx.attr<number[]>("scale");
  const zp = ctx.attr<number[]>("zero_point");
  const gs = ctx.attr<number>("group_size");
  let axis = ctx.attr<number>("axis");
  if (axis < 0) axis += shape.length;
  let granularity: Granularity;
  if (gs > 0) {
    if (axis < 0 || axis >= shape.length) ctx.fail(`axis out of range for rank ${shape.length}`);
    granularity = { kind: "per-group", axis, groupSize: gs };
  } else if (scale.length === 1 && !(ctx.has("axis") && shape[axis] === 1)) granularity = { kind: "per-tensor" };
  else {
    if (axis < 0 || axis >= shape.length) ctx.fail(`axis out of range for rank ${shape.length}`);
    const d = shape[axis];
    if (typeof d === "number" && d !== scale.length) ctx.fail(`${scale.length} scales for axis ${axis} of size ${d}`);
    granularity = { kind: "per-axis", axis };
  }
  if (scale.length === 0) ctx.fail("scale is empty");
  for (const s of scale) if (!(s > 0) || !Number.isFinite(s)) ctx.fail(`scale ${s} is not a positive finite number`);
  const [lo, hi] = intRange(storage as StorageDType);
  if (zp.length && zp.length !== scale.length) ctx.fail(`${zp.length} zero points for ${scale.length} scales`);
  for (const z of zp) if (z < lo || z > hi) ctx.fail(`zero point ${z} outside ${storage} range [${lo}, ${hi}]`);
  return {
    storage: storage as StorageDType,
    expressed,
    granularity,
    scale: Float32Array.from(scale),
    zeroPoint: zp.length ? Int32Array.from(zp) : null,
  };
}

export function asExpressed(ctx: InferContext, dtype: string): ExpressedDType {
  if (dtype !== "f32" && dtype !== "f16" && dtype !== "bf16") ctx.fail(`expected a float input (f32, f16, bf16), got ${dtype}`);
  return dtype as ExpressedDType;
}
