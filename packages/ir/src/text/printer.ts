/**
 * Deterministic text form of a Graph. Example:
 *
 *   graph @main stage=float {
 *     meta {"opset.ai.onnx"="13"}
 *     input %x : f32[b,4]
 *     const %w : f32[4] = dense<[1.0, 2.0, 3.0, 4.0]>
 *     %y : f32[b,4] = Add(%x, %w) #add0
 *     output %y
 *   }
 *
 * Attributes and meta keys are sorted; constants print exactly (decimal when
 * small, little-endian hex bytes otherwise), so parse(print(g)) rebuilds g.
 * Float attributes are float32 (as in ONNX) and print as the shortest float32 text.
 */
import type { AttrValue, Graph, Node } from "../graph.js";
import { getOp } from "../op-registry.js";
import { Tensor } from "../tensor.js";
import type { QuantType, TensorType } from "../types.js";
import { formatF32, formatFloat, INLINE_LIMIT, quoteName, quoteSymbol } from "./format.js";

export function printType(t: TensorType): string {
  const base = `${t.dtype}[${t.shape.map((d) => (typeof d === "number" ? String(d) : quoteSymbol(d))).join(",")}]`;
  return t.quant ? `${base}!${printQuant(t.quant)}` : base;
}

function printQuant(q: QuantType): string {
  const g = q.granularity;
  const gran = g.kind === "per-axis" ? `per-axis(${g.axis})` : g.kind === "per-group" ? `per-group(${g.axis},${g.groupSize})` : g.kind;
  const parts = [q.expressed, gran];
  if (q.scale) parts.push(`scale=[${Array.from(q.scale, (x) => formatF32(x)).join(", ")}]`);
  if (q.zeroPoint) parts.push(`zp=[${Array.from(q.zeroPoint).join(", ")}]`);
  return `quant<${parts.join(", ")}>`;
}

function hasNaN(t: Tensor): boolean {
  if (t.dtype !== "f32" && t.dtype !== "f64") return false;
  for (const x of t.data as Float32Array) if (Number.isNaN(x)) return true;
  return false;
}

/** The data of a tensor: `[...]` decimal list when small and exact, else `0x` hex bytes. */
export function printTensorData(t: Tensor): string {
  if (t.dtype === "string") return `[${(t.data as string[]).map((s) => JSON.stringify(s)).join(", ")}]`;
  const listable = t.size <= INLINE_LIMIT && !["f16", "bf16", "i4", "u4"].includes(t.dtype) && !hasNaN(t);
  if (listable) {
    const d = t.data;
    const items: string[] = [];
    for (let i = 0; i < t.size; i++) {
      const v = d[i]!;
      items.push(typeof v === "bigint" ? v.toString() : t.dtype === "f32" ? formatF32(v as number, true) : t.dtype === "f64" ? formatFloat(v as number, true) : String(v));
    }
    return `[${items.join(", ")}]`;
  }
  const d = t.data as Exclude<Tensor["data"], string[]>;
  const bytes = new Uint8Array(d.buffer, d.byteOffset, t.byteLength);
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

function printAttr(op: string, key: string, v: AttrValue, indent: string): string {
  const kind = getOp(op)?.attrs[key]?.kind;
  if (v instanceof Tensor) return `dense<${printType({ dtype: v.dtype, shape: v.shape })} ${printTensorData(v)}>`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return kind === "float" ? formatF32(Math.fround(v), true) : formatFloat(v);
  if (Array.isArray(v))
    return `[${v.map((x) => (typeof x === "string" ? JSON.stringify(x) : kind === "floats" ? formatF32(Math.fround(x), true) : formatFloat(x))).join(", ")}]`;
  return printGraphAt(v as Graph, indent);
}

function printNode(n: Node, g: Graph, indent: string): string {
  const outs = n.outputs.map((o) => (o ? `%${quoteName(o)} : ${printType(g.values[o]!)}` : "_")).join(", ");
  const ins = n.inputs.map((i) => (i ? `%${quoteName(i)}` : "_")).join(", ");
  const keys = Object.keys(n.attrs).sort();
  const attrs = keys.length ? ` {${keys.map((k) => `${quoteSymbol(k)}=${printAttr(n.op, k, n.attrs[k]!, indent)}`).join(", ")}}` : "";
  return `${indent}${outs} = ${n.op}(${ins})${attrs} #${quoteName(n.name)}`;
}

function printGraphAt(g: Graph, indent: string): string {
  const inner = `${indent}  `;
  const lines = [`graph @${quoteName(g.name)} stage=${g.stage} {`];
  const metaKeys = Object.keys(g.meta).sort();
  if (metaKeys.length) lines.push(`${inner}meta {${metaKeys.map((k) => `${JSON.stringify(k)}=${JSON.stringify(g.meta[k])}`).join(", ")}}`);
  for (const i of g.inputs) lines.push(`${inner}input %${quoteName(i)} : ${printType(g.values[i]!)}`);
  for (const [k, t] of Object.entries(g.constants)) lines.push(`${inner}const %${quoteName(k)} : ${printType(g.values[k]!)} = dense<${printTensorData(t)}>`);
  for (const n of g.nodes) lines.push(printNode(n, g, inner));
  if (g.outputs.length) lines.push(`${inner}output ${g.outputs.map((o) => `%${quoteName(o)}`).join(", ")}`);
  lines.push(`${indent}}`);
  return lines.join("\n");
}

/** The text IR of g (ends with a newline). */
export function printGraph(g: Graph): string {
  return `${printGraphAt(g, "")}\n`;
}
