import { UnsupportedOpError, VerifyError } from "./errors.js";
import type { AttrValue, Graph, Node } from "./graph.js";
import type { Tensor } from "./tensor.js";
import type { Stage, TensorType } from "./types.js";

export type AttrKind = "int" | "float" | "string" | "ints" | "floats" | "strings" | "tensor" | "graph";

export interface AttrSpec {
  readonly kind: AttrKind;
  /** Value used when the attribute is absent; omit for required or truly optional attributes. */
  readonly default?: AttrValue;
  readonly required?: boolean;
  readonly doc?: string;
}

/** What an op's type inference sees. */
export interface InferContext {
  readonly node: Node;
  /** Input types; undefined for an omitted optional input. */
  readonly inputs: readonly (TensorType | undefined)[];
  /** Attribute value, or the schema default. Throws if required and missing. */
  attr<T extends AttrValue>(name: string): T;
  /** Whether the attribute is present on the node (not defaulted). */
  has(name: string): boolean;
  /** The constant value of input i when it is a graph constant (for shape-carrying inputs). */
  constant(i: number): Tensor | undefined;
  /** Types of outer-scope values visible to subgraphs, by name. */
  readonly scope: (name: string) => TensorType | undefined;
  /** Fails inference with a message naming the node. */
  fail(msg: string): never;
}

export interface OpDef {
  /** ONNX op type for float ops (ONNX semantics); snake_case for quantpass ops. */
  readonly name: string;
  /** One-line description. */
  readonly doc: string;
  /** Input names, for docs and arity; a trailing "..." entry makes the last input variadic. */
  readonly inputs: readonly string[];
  /** Minimum number of inputs present (default: all non-variadic). */
  readonly minInputs?: number;
  readonly outputs: readonly string[];
  /** Minimum outputs (default: all). */
  readonly minOutputs?: number;
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  /** Stages where the op is legal; undefined means every stage. */
  readonly stages?: readonly Stage[];
  /** Output types from input types and attributes. */
  infer(ctx: InferContext): TensorType[];
  /** Extra checks beyond arity, attributes and inference; return a reason on failure. */
  verify?(ctx: InferContext): string | undefined;
}

const REGISTRY = new Map<string, OpDef>();

/** Registers an op (used by the built-in op files and by plugins). */
export function defineOp(def: OpDef): OpDef {
  if (REGISTRY.has(def.name)) throw new Error(`op ${def.name} is defined twice`);
  REGISTRY.set(def.name, def);
  return def;
}

export function getOp(name: string): OpDef | undefined {
  return REGISTRY.get(name);
}

export function requireOp(name: string, nodeName?: string): OpDef {
  const d = REGISTRY.get(name);
  if (!d) throw new UnsupportedOpError(`unknown op '${name}'${nodeName ? ` at node '${nodeName}'` : ""}`, nodeName);
  return d;
}

export function allOps(): OpDef[] {
  return [...REGISTRY.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function isVariadic(def: OpDef): boolean {
  return def.inputs[def.inputs.length - 1] === "...";
}

export function inputArity(def: OpDef): [number, number] {
  if (isVariadic(def)) return [def.minInputs ?? def.inputs.length - 2, Infinity];
  return [def.minInputs ?? def.inputs.length, def.inputs.length];
}

export function outputArity(def: OpDef): [number, number] {
  return [def.minOutputs ?? def.outputs.length, def.outputs.length];
}

/** Builds an InferContext for a node, given a lookup of value types and constants. */
export function makeInferContext(
  def: OpDef,
  node: Node,
  typeOf: (name: string) => TensorType | undefined,
  constantOf: (name: string) => Tensor | undefined,
): InferContext {
  const fail = (msg: string): never => {
    throw new VerifyError(`node '${node.name}' (${node.op}): ${msg}`, node.name);
  };
  return {
    node,
    inputs: node.inputs.map((i) => (i ? typeOf(i) : undefined)),
    attr<T extends AttrValue>(name: string): T {
      const v = node.attrs[name];
      if (v !== undefined) return v as T;
      const spec = def.attrs[name];
      if (!spec) return fail(`op has no attribute '${name}'`);
      if (spec.default === undefined) return fail(`missing required attribute '${name}'`);
      return spec.default as T;
    },
    has: (name) => node.attrs[name] !== undefined,
    constant: (i) => (node.inputs[i] ? constantOf(node.inputs[i]!) : undefined),
    scope: typeOf,
    fail,
  };
}

/** Runs an op's inference for a node inside graph g (and outer scopes). */
export function inferNode(
  node: Node,
  typeOf: (name: string) => TensorType | undefined,
  constantOf: (name: string) => Tensor | undefined,
): TensorType[] {
  const def = requireOp(node.op, node.name);
  return def.infer(makeInferContext(def, node, typeOf, constantOf));
}

export type { Graph };
