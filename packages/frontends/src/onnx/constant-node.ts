/** ONNX Constant nodes → graph constants: value, value_float(s), value_int(s), value_string(s). */
import { Tensor, UnsupportedOpError, UserError } from "@quantpass/ir";
import { i64Tensor, type OnnxAttr } from "./convert.js";
import { inFile } from "./errors.js";

export function constantValue(attrs: ReadonlyMap<string, OnnxAttr>, node: string, file?: string): Tensor {
  const where = `node '${node}' (Constant)`;
  if (attrs.size !== 1) throw new UserError(inFile(file, `${where}: needs exactly one value attribute, has ${attrs.size}`), node);
  const [name, v] = [...attrs][0]!;
  const bad = (): never => {
    throw new UserError(inFile(file, `${where}: attribute '${name}' has the wrong type`), node);
  };
  const nums = (): number[] => (Array.isArray(v) && v.every((x) => typeof x === "number") ? (v as number[]) : bad());
  const strs = (): string[] => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : bad());
  switch (name) {
    case "value": return v instanceof Tensor ? v : bad();
    case "value_float": return typeof v === "number" ? Tensor.f32([], [v]) : bad();
    case "value_floats": { const xs = nums(); return Tensor.f32([xs.length], xs); }
    case "value_int": return typeof v === "number" ? i64Tensor([v], []) : bad();
    case "value_ints": return i64Tensor(nums());
    case "value_string": return typeof v === "string" ? new Tensor("string", [], [v]) : bad();
    case "value_strings": { const xs = strs(); return new Tensor("string", [xs.length], xs); }
    case "sparse_value": throw new UnsupportedOpError(inFile(file, `${where}: sparse constants are not supported`), node);
    default: return bad();
  }
}
