/**
 * The verifier: structure (SSA, topological order, no dangling uses), per-op
 * arity, attributes and types, and stage legality. Every message names the node.
 */
import { VerifyError } from "./errors.js";
import { isGraph, type AttrValue, type Graph, type Node } from "./graph.js";
import { getOp, inputArity, makeInferContext, outputArity, type AttrKind } from "./op-registry.js";
import { Tensor } from "./tensor.js";
import { dimsCompatible, formatShape, type TensorType } from "./types.js";

export interface Diagnostic {
  readonly node?: string;
  readonly message: string;
}

type Scope = (name: string) => TensorType | undefined;

/** Returns every problem found (empty when the graph is valid). */
export function verifyAll(g: Graph, outer?: Scope): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const defined = new Map<string, TensorType | undefined>();
  const report = (message: string, node?: string) => diags.push(node ? { node, message: `node '${node}': ${message}` } : { message });
  const lookup: Scope = (n) => (defined.has(n) ? defined.get(n) : outer?.(n));
  const define = (name: string, what: string, node?: string) => {
    if (!name) return;
    if (defined.has(name)) report(`value '%${name}' (${what}) is defined more than once`, node);
    const t = g.values[name];
    if (!t) report(`value '%${name}' has no type`, node);
    defined.set(name, t);
  };
  for (const i of g.inputs) define(i, "graph input");
  for (const [name, t] of Object.entries(g.constants)) {
    define(name, "constant");
    const ty = g.values[name];
    if (!(t instanceof Tensor)) report(`constant '%${name}' is not a Tensor`);
    else if (ty && (ty.dtype !== t.dtype || ty.shape.length !== t.shape.length || ty.shape.some((d, k) => d !== t.shape[k])))
      report(`constant '%${name}' has type ${ty.dtype}${formatShape(ty.shape)} but holds ${t.dtype}${formatShape(t.shape)}`);
  }
  const names = new Set<string>();
  for (const node of g.nodes) {
    if (names.has(node.name)) report(`node name is used more than once`, node.name);
    names.add(node.name);
    for (const i of node.inputs) {
      if (i && !defined.has(i) && !outer?.(i))
        report(`input '%${i}' is not defined before use (dangling use or nodes out of topological order)`, node.name);
    }
    verifyNode(g, node, lookup, report);
    for (const o of node.outputs) define(o, `output of ${node.op}`, node.name);
  }
  for (const o of g.outputs) if (!defined.has(o) && !outer?.(o)) report(`graph output '%${o}' is never defined`);
  return diags;
}

function verifyNode(g: Graph, node: Node, lookup: Scope, report: (m: string, n?: string) => void): void {
  const def = getOp(node.op);
  if (!def) return report(`unknown op '${node.op}'`, node.name);
  if (def.stages && !def.stages.includes(g.stage))
    report(`op '${node.op}' is not legal at stage '${g.stage}' (legal at: ${def.stages.join(", ")})`, node.name);
  const [imin, imax] = inputArity(def);
  const present = node.inputs.length;
  if (present < imin || present > imax)
    report(`${node.op} takes ${imin === imax ? imin : `${imin}..${imax === Infinity ? "n" : imax}`} inputs, got ${present}`, node.name);
  const [omin, omax] = outputArity(def);
  if (node.outputs.length < omin || node.outputs.length > omax)
    report(`${node.op} produces ${omin === omax ? omin : `${omin}..${omax}`} outputs, got ${node.outputs.length}`, node.name);
  for (const [k, v] of Object.entries(node.attrs)) {
    const spec = def.attrs[k];
    if (!spec) report(`${node.op} has no attribute '${k}'`, node.name);
    else if (!attrMatches(spec.kind, v)) report(`attribute '${k}' should be ${spec.kind}`, node.name);
  }
  for (const [k, spec] of Object.entries(def.attrs))
    if (spec.required && node.attrs[k] === undefined) report(`missing required attribute '${k}'`, node.name);
  for (const v of Object.values(node.attrs))
    if (isGraph(v)) for (const d of verifyAll(v, lookup)) report(`in subgraph '${v.name}': ${d.message}`, node.name);
  if (node.inputs.some((i) => i && lookup(i) === undefined)) return;
  try {
    const ctx = makeInferContext(def, node, lookup, (n) => g.constants[n]);
    const inferred = def.infer(ctx);
    node.outputs.forEach((o, k) => {
      const want = g.values[o];
      const got = inferred[k];
      if (!o || !want || !got) return;
      if (want.dtype !== got.dtype) report(`output '%${o}' declared ${want.dtype} but ${node.op} gives ${got.dtype}`, node.name);
      else if (want.shape.length !== got.shape.length || want.shape.some((d, j) => !dimsCompatible(d, got.shape[j]!)))
        report(`output '%${o}' declared ${formatShape(want.shape)} but ${node.op} gives ${formatShape(got.shape)}`, node.name);
    });
    const reason = def.verify?.(ctx);
    if (reason) report(reason, node.name);
  } catch (e) {
    if (e instanceof VerifyError) report(e.message.replace(/^node '[^']*' \([^)]*\): /, ""), node.name);
    else throw e;
  }
}

function attrMatches(kind: AttrKind, v: AttrValue): boolean {
  switch (kind) {
    case "int": return typeof v === "number" && Number.isInteger(v);
    case "float": return typeof v === "number";
    case "string": return typeof v === "string";
    case "ints": return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x));
    case "floats": return Array.isArray(v) && v.every((x) => typeof x === "number");
    case "strings": return Array.isArray(v) && v.every((x) => typeof x === "string");
    case "tensor": return v instanceof Tensor;
    case "graph": return isGraph(v);
  }
}

/** Throws a VerifyError naming the first bad node (and counting the rest). */
export function verify(g: Graph): void {
  const d = verifyAll(g);
  if (d.length) {
    const more = d.length > 1 ? ` (and ${d.length - 1} more problem${d.length > 2 ? "s" : ""})` : "";
    throw new VerifyError(`graph '${g.name}': ${d[0]!.message}${more}`, d[0]!.node);
  }
}
