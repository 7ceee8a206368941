/**
 * Opset normalisation: each rule rewrites one op from an older opset form into the newest form
 * (the form the IR op table defines). Rules are data, one file per concern; `normalize` applies
 * every rule whose op matches and whose `below` is above the model's opset, in table order.
 */
import { UnsupportedOpError, type Tensor, type TensorType } from "@quantpass/ir";
import type { OnnxAttr } from "../convert.js";
import { inFile } from "../errors.js";

/** An ONNX node with decoded attributes, before it becomes an IR node. */
export interface OnnxNode {
  readonly name: string;
  readonly op: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, OnnxAttr>;
  /** Set on nodes a rule built in the newest form: no further rule applies to them. */
  readonly newest?: boolean;
}

export interface NormContext {
  /** The model's opset for the node's domain. */
  readonly opset: number;
  readonly file?: string;
  typeOf(name: string): TensorType | undefined;
  constantOf(name: string): Tensor | undefined;
  /** Adds a graph constant under a fresh name derived from `prefix`; returns the name. */
  constant(prefix: string, t: Tensor): string;
  /** A fresh value name derived from `prefix`. */
  fresh(prefix: string): string;
}

export interface OpsetRule {
  readonly ops: readonly string[];
  /** The rule applies to nodes from opsets strictly below this version. */
  readonly below: number;
  /** What the rule converts, for docs. */
  readonly doc: string;
  apply(node: OnnxNode, ctx: NormContext): OnnxNode[];
}

/** UnsupportedOpError naming the file, node and op. */
export function unsupported(ctx: { file?: string }, node: OnnxNode, msg: string): never {
  throw new UnsupportedOpError(inFile(ctx.file, `node '${node.name}' (${node.op}): ${msg}`), node.name);
}

/** The node with attributes removed and others set (undefined values are removed). */
export function withAttrs(node: OnnxNode, set: Record<string, OnnxAttr | undefined>): OnnxNode {
  const attrs = new Map(node.attrs);
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) attrs.delete(k);
    else attrs.set(k, v);
  }
  return { ...node, attrs };
}

/** The node's inputs with `value` placed at index i (padding omitted inputs with ""). */
export function setInput(inputs: readonly string[], i: number, value: string): string[] {
  const out = [...inputs];
  while (out.length < i) out.push("");
  out[i] = value;
  while (out.length && out[out.length - 1] === "") out.pop();
  return out;
}

/** A node built by a rule, already in the newest form. */
export function newNode(name: string, op: string, inputs: string[], outputs: string[], attrs: Record<string, OnnxAttr> = {}): OnnxNode {
  return { name, op, domain: "", inputs, outputs, attrs: new Map(Object.entries(attrs)), newest: true };
}

/** Applies the matching rules of `rules` in order; returns the nodes to lower. */
export function applyRules(rules: readonly OpsetRule[], node: OnnxNode, ctx: NormContext): OnnxNode[] {
  let nodes = [node];
  for (const rule of rules) {
    if (ctx.opset >= rule.below || !rule.ops.includes(node.op)) continue;
    nodes = nodes.flatMap((n) => (n.newest || n.op !== node.op ? [n] : rule.apply(n, ctx)));
  }
  return nodes;
}
