/**
 * bind-inputs{name=value,...} (any stage): replaces graph inputs by constants of their
 * declared type, so a model specialised for one setting (a sample rate, a flag) can be
 * folded and simplified. The input disappears from graph.inputs.
 *
 *   input %x : f32[b,4]                            input %x : f32[b,4]
 *   input %sr : i64[]                       →      const %sr : i64[] = dense<[16000]>
 *   %y = Mul(%x, %sr)                              %y = Mul(%x, %sr)
 *
 * Values: a number or boolean for a one-element input, a (nested) list with as many
 * elements as the static shape has, in row-major order; strings "nan", "inf", "-inf" for
 * float inputs (quoted numbers are read as numbers). The input's shape must be static; integers must fit the dtype.
 */
import { edit, isStaticShape, numel, Tensor, UserError, type DType, type Graph, type Tensor as T } from "@quantpass/ir";
import { z } from "zod";
import { definePass } from "../pass.js";
import type { OptionValue } from "../pipeline-text.js";

const Value: z.ZodType<OptionValue> = z.lazy(() => z.union([z.number(), z.boolean(), z.string(), z.array(Value)]));

/** Input name → value. Keys are input names, so any key is accepted. */
export const BindInputsOptions = z.record(z.string(), Value);

const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  i8: [-128, 127], u8: [0, 255], i16: [-32768, 32767], u16: [0, 65535], i32: [-(2 ** 31), 2 ** 31 - 1], u32: [0, 2 ** 32 - 1],
  i64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], u64: [0, Number.MAX_SAFE_INTEGER], i4: [-8, 7], u4: [0, 15], bool: [0, 1],
};
const FLOAT = new Set<string>(["f32", "f16", "bf16", "f64"]);
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, "+inf": Infinity, "-inf": -Infinity };

function flatten(v: OptionValue): (number | boolean | string)[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}

/** The constant for input `name` of type dtype[shape], or a UserError naming the input. */
export function bindValue(name: string, dtype: DType, shape: readonly number[], v: OptionValue): T {
  const fail = (msg: string): never => { throw new UserError(`bind-inputs: input '${name}' (${dtype}[${shape.join(",")}]): ${msg}`, name); };
  if (dtype === "string") fail("string inputs cannot be bound");
  const items = flatten(v);
  const n = numel(shape);
  if (items.length !== n) fail(`expected ${n} value${n === 1 ? "" : "s"}, got ${items.length}`);
  const nums = items.map((item) => {
    let x = item;
    if (typeof x === "boolean") {
      if (dtype !== "bool") fail(`value ${x} is a boolean, the input is ${dtype}`);
      return x ? 1 : 0;
    }
    if (typeof x === "string") {
      const s = SPECIAL[x.trim().toLowerCase()] ?? (x.trim() && !/^0[box]/i.test(x.trim()) ? Number(x) : NaN);
      if (Number.isNaN(s) && !(x.trim().toLowerCase() === "nan" && FLOAT.has(dtype))) fail(`value '${x}' does not parse as ${dtype}`);
      if (!Number.isFinite(s) && !FLOAT.has(dtype)) fail(`value '${x}' does not parse as ${dtype}`);
      x = s;
    }
    const range = INT_RANGE[dtype];
    if (range && (!Number.isInteger(x) || x < range[0] || x > range[1])) fail(`value ${x} is not ${dtype === "bool" ? "0 or 1" : `an integer in [${range[0]}, ${range[1]}]`}`);
    return x;
  });
  return Tensor.fromNumbers(dtype, shape, nums);
}

export const bindInputs = definePass({
  name: "bind-inputs",
  summary: "replace graph inputs by constants (input=value,...), removing them from the inputs",
  options: BindInputsOptions,
  idempotent: true,
  run(g: Graph, o) {
    const names = Object.keys(o);
    if (!names.length) return g;
    const bound = new Map<string, T>();
    for (const name of names) {
      if (!g.inputs.includes(name)) {
        // Binding twice (or running the pass again) finds the constant it made: same value, no change.
        if (name in g.constants) continue;
        throw new UserError(`bind-inputs: graph '${g.name}' has no input '${name}' (inputs: ${g.inputs.join(", ") || "none"})`, name);
      }
      const t = g.values[name]!;
      if (!isStaticShape(t.shape)) throw new UserError(`bind-inputs: input '${name}' has shape [${t.shape.join(",")}], which is not static`, name);
      bound.set(name, bindValue(name, t.dtype, t.shape as number[], o[name]!));
    }
    if (!bound.size) return g;
    return edit(g, (e) => {
      e.draft.inputs = e.draft.inputs.filter((i) => !bound.has(i));
      for (const [name, t] of bound) (e.draft.constants as Record<string, T>)[name] = t;
    });
  },
});
