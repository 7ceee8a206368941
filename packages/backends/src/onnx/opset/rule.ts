/**
 * Export-side opset rules: each converts one op from the IR's newest form back into the form
 * of an older target opset, or fails with the reason it cannot. Rules are data; `lowerNodes`
 * applies those whose `below` is above the target opset, in table order.
 */
import { UnsupportedOpError, type AttrValue, type Tensor, type TensorType } from "@quantpass/ir";

/** An ONNX node about to be encoded (attrs already IR values). */
export interface ExportNode {
  readonly name: string;
  readonly op: string;
  /** ONNX domain ("" = ai.onnx). */
  readonly domain?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

export interface ExportContext {
  /** Target ai.onnx opset. */
  readonly opset: number;
  typeOf(name: string): TensorType | undefined;
  constantOf(name: string): Tensor | undefined;
  /** Adds an initializer under a fresh name derived from prefix. */
  constant(prefix: string, t: Tensor): string;
  fresh(prefix: string): string;
}

export interface ExportRule {
  readonly ops: readonly string[];
  /** Applies when the target opset is strictly below this version. */
  readonly below: number;
  readonly doc: string;
  apply(node: ExportNode, ctx: ExportContext): ExportNode[];
}

export function cannotExport(node: ExportNode, ctx: ExportContext, why: string): never {
  throw new UnsupportedOpError(`onnx export: node '${node.name}' (${node.op}) cannot be written for opset ${ctx.opset}: ${why}`, node.name);
}

export function withoutAttrs(node: ExportNode, ...names: string[]): ExportNode {
  const attrs = { ...node.attrs };
  for (const n of names) delete attrs[n];
  return { ...node, attrs };
}

/** The integer values of a constant input, or a failure naming it. */
export function constInput(node: ExportNode, ctx: ExportContext, i: number, what: string): number[] {
  const t = ctx.constantOf(node.inputs[i] ?? "");
  if (!t) return cannotExport(node, ctx, `${what} (input ${i}) must be a constant`);
  return t.toNumbers();
}

export function trim(xs: readonly string[]): string[] {
  const out = [...xs];
  while (out.length && out[out.length - 1] === "") out.pop();
  return out;
}

export function lowerNodes(rules: readonly ExportRule[], node: ExportNode, ctx: ExportContext): ExportNode[] {
  let nodes = [node];
  for (const r of rules) {
    if (ctx.opset >= r.below || !r.ops.includes(node.op)) continue;
    nodes = nodes.flatMap((n) => (n.op === node.op && (n.domain ?? "") === (node.domain ?? "") ? r.apply(n, ctx) : [n]));
  }
  return nodes;
}
