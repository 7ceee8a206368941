/**
 * Einsum (ONNX semantics, opset 12+): "ij,jk->ik", "...ii->...i", implicit output
 * ("ij,jk" = "ij,jk->ik": ellipsis dims, then letters used once, alphabetically).
 */
import { defineOp } from "../op-registry.js";
import type { Dim } from "../types.js";
import { input, UNKNOWN } from "./shape-util.js";

export interface EinsumSpec {
  /** Labels per input, one per dim; ellipsis dims are "…0", "…1"... right-aligned. */
  readonly inputs: string[][];
  readonly output: string[];
}

/** Parses an equation against the input ranks; returns a reason string on error. */
export function parseEinsum(equation: string, ranks: readonly number[]): EinsumSpec | string {
  const eq = equation.replace(/\s+/g, "");
  const [lhs, rhs, extra] = eq.split("->");
  if (extra !== undefined || lhs === undefined) return `bad equation '${equation}'`;
  const terms = lhs.split(",");
  if (terms.length !== ranks.length) return `equation has ${terms.length} operands, the node has ${ranks.length} inputs`;
  const letters = (t: string) => t.replace("...", "");
  for (const t of [...terms, rhs ?? ""]) {
    if (t.split("...").length > 2) return `more than one ellipsis in '${t}'`;
    if (!/^[A-Za-z]*$/.test(letters(t))) return `bad term '${t}'`;
  }
  let ellRank = 0;
  const ells = terms.map((t, k) => {
    const n = letters(t).length;
    const e = t.includes("...") ? ranks[k]! - n : 0;
    if (e < 0 || (!t.includes("...") && n !== ranks[k])) return -1;
    ellRank = Math.max(ellRank, e);
    return e;
  });
  const bad = ells.indexOf(-1);
  if (bad >= 0) return `term '${terms[bad]}' does not match input ${bad} of rank ${ranks[bad]}`;
  const expand = (t: string, e: number) => {
    const [a, b] = t.includes("...") ? t.split("...") : [t, ""];
    return [...a!, ...Array.from({ length: e }, (_, j) => `…${ellRank - e + j}`), ...b!];
  };
  const inputs = terms.map((t, k) => expand(t, ells[k]!));
  let output: string[];
  if (rhs !== undefined) {
    if (new Set(letters(rhs)).size !== letters(rhs).length) return `output '${rhs}' repeats a label`;
    for (const c of letters(rhs)) if (!terms.some((t) => t.includes(c))) return `output label '${c}' is not in any input`;
    output = expand(rhs, rhs.includes("...") ? ellRank : 0);
    if (!rhs.includes("...") && ellRank > 0) return "the output must keep the ellipsis dims";
  } else {
    const count = new Map<string, number>();
    for (const c of terms.join("").replace(/\./g, "")) count.set(c, (count.get(c) ?? 0) + 1);
    const once = [...count].filter(([, n]) => n === 1).map(([c]) => c).sort();
    output = [...Array.from({ length: ellRank }, (_, j) => `…${j}`), ...once];
  }
  return { inputs, output };
}

/** Size of each label, unifying dims (1 broadcasts); a reason string on a mismatch. */
export function einsumSizes(spec: EinsumSpec, shapes: readonly (readonly Dim[])[]): Map<string, Dim> | string {
  const size = new Map<string, Dim>();
  for (let k = 0; k < shapes.length; k++)
    for (let j = 0; j < shapes[k]!.length; j++) {
      const l = spec.inputs[k]![j]!, d = shapes[k]![j]!;
      const cur = size.get(l);
      if (cur === undefined || cur === 1 || (cur === UNKNOWN && d !== 1)) size.set(l, d);
      else if (d !== 1 && d !== cur && d !== UNKNOWN) {
        if (typeof cur === "number" && typeof d === "number") return `label '${l}' has sizes ${cur} and ${d}`;
        if (typeof d === "number") size.set(l, d);
      }
    }
  return size;
}

defineOp({
  name: "Einsum",
  doc: "sum of products over the labels of an Einstein-summation equation",
  inputs: ["Inputs", "..."],
  minInputs: 1,
  outputs: ["Output"],
  attrs: { equation: { kind: "string", required: true, doc: "e.g. 'bij,bjk->bik'; '...' for broadcast dims" } },
  infer(ctx) {
    const ts = ctx.inputs.map((_, i) => input(ctx, i));
    for (const t of ts) if (t.dtype !== ts[0]!.dtype) ctx.fail(`input dtypes differ: ${ts[0]!.dtype} and ${t.dtype}`);
    const spec = parseEinsum(ctx.attr<string>("equation"), ts.map((t) => t.shape.length));
    if (typeof spec === "string") return ctx.fail(spec);
    const size = einsumSizes(spec, ts.map((t) => t.shape));
    if (typeof size === "string") return ctx.fail(size);
    return [{ dtype: ts[0]!.dtype, shape: spec.output.map((l) => size.get(l) ?? 1) }];
  },
});
