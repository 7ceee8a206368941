/**
 * ONNX → IR lowering. Generic for every op in the IR op table: attributes are converted by the
 * op's schema kind, initializers and Constant nodes become graph constants, types come from
 * value_info where declared and from op inference otherwise, If branches are lowered
 * recursively with the outer scope visible. Older opset forms are first normalised into the
 * newest form (opset/). Unknown ops are UnsupportedOpError naming the file, node and op.
 */
import type { onnx } from "@quantpass/formats";
import {
  CONTRIB_OPS, getOp, inferNode, tensorType, UnsupportedOpError, UserError, VerifyError,
  type AttrValue, type Graph, type Node, type TensorType,
} from "@quantpass/ir";
import { constantValue } from "./constant-node.js";
import { coerceAttr, declaredType, decodeAttr, inputType, toTensor, type OnnxAttr } from "./convert.js";
import { inFile } from "./errors.js";
import { normalize, type NormContext, type OnnxNode } from "./opset/index.js";
import { tryFold } from "./fold.js";
import { checkOpsets, opsetMeta } from "./opsets.js";
import { Names, Scope, mergeTypes } from "./scope.js";
import { topoOrder } from "./topo.js";

export interface LowerOptions {
  /** File name used in error messages and recorded in graph.meta. */
  file?: string;
  /** Fold integer shape arithmetic on constants and static shapes (default true). */
  fold?: boolean;
}

interface State {
  readonly file?: string;
  readonly opset: number;
  readonly names: Names;
  readonly fold: boolean;
}

const DEFAULT_DOMAINS = new Set(["", "ai.onnx"]);

/** Lowers a decoded ONNX model into an IR graph (stage "float"). */
export function lowerOnnx(model: onnx.IModelProto, opts: LowerOptions = {}): Graph {
  const file = opts.file;
  if (!model.graph) throw new UserError(inFile(file, "the model has no graph"), file);
  const opset = checkOpsets(model, file);
  const st: State = { file, opset, names: new Names(model), fold: opts.fold ?? true };
  const g = lowerGraph(model.graph, undefined, st, model.graph.name || "main");
  return { ...g, meta: opsetMeta(model, file) };
}

function lowerGraph(gp: onnx.IGraphProto, parent: Scope | undefined, st: State, name: string): Graph {
  const { file } = st;
  const scope = new Scope(parent);
  const nodes: Node[] = [];
  const inputs: string[] = [];
  if (gp.sparseInitializer?.length)
    throw new UnsupportedOpError(inFile(file, `graph '${name}': sparse initializers are not supported`), name);
  for (const t of gp.initializer ?? []) {
    if (!t.name) throw new UserError(inFile(file, `graph '${name}': an initializer has no name`), name);
    const tensor = toTensor(t, file);
    scope.constants[t.name] = tensor;
    scope.values[t.name] = tensorType(tensor.dtype, tensor.shape);
  }
  for (const vi of gp.input ?? []) {
    const n = vi.name ?? "";
    if (n in scope.constants) continue; // an input with an initializer is a constant
    if (scope.definesLocally(n)) throw new UserError(inFile(file, `graph '${name}': input '${n}' is declared twice`), n);
    scope.values[n] = inputType(vi, file);
    inputs.push(n);
  }
  const declared = new Map<string, TensorType>();
  for (const vi of [...(gp.valueInfo ?? []), ...(gp.output ?? [])]) {
    const t = declaredType(vi, file);
    if (t && vi.name) declared.set(vi.name, t);
  }

  const emit = (n: OnnxNode): void => {
    const def = getOp(n.op);
    if (!def) throw unsupportedOp(st, n.name, n.op, n.domain);
    const attrs: Record<string, AttrValue> = {};
    for (const [k, v] of n.attrs) {
      const spec = def.attrs[k];
      if (!spec) throw new UnsupportedOpError(inFile(file, `node '${n.name}' (${n.op}): attribute '${k}' is not supported by quantpass`), n.name);
      if (spec.kind === "graph") {
        if (v === null || typeof v !== "object" || !("node" in v || "output" in v))
          throw new UserError(inFile(file, `node '${n.name}' (${n.op}): attribute '${k}' should be a graph`), n.name);
        attrs[k] = lowerGraph(v as onnx.IGraphProto, scope, st, `${n.name}/${k}`);
        continue;
      }
      const c = coerceAttr(spec.kind, v);
      if (c === undefined) throw new UserError(inFile(file, `node '${n.name}' (${n.op}): attribute '${k}' should be ${spec.kind}`), n.name);
      attrs[k] = c;
    }
    for (const i of n.inputs)
      if (i && !scope.typeOf(i)) throw new UserError(inFile(file, `node '${n.name}' (${n.op}) reads '${i}', which is not defined`), n.name);
    for (const o of n.outputs)
      if (o && scope.definesLocally(o)) throw new UserError(inFile(file, `node '${n.name}' (${n.op}) redefines value '${o}'`), n.name);
    const node: Node = { name: st.names.node(n.name), op: n.op, inputs: [...n.inputs], outputs: [...n.outputs], attrs };
    let inferred: TensorType[];
    try {
      inferred = inferNode(node, (v) => scope.typeOf(v), (v) => scope.constantOf(v));
    } catch (e) {
      if (e instanceof VerifyError) throw new VerifyError(inFile(file, e.message), node.name);
      throw e;
    }
    node.outputs.forEach((o, k) => {
      if (!o) return;
      const t = mergeTypes(declared.get(o), inferred[k]);
      if (!t) throw new UserError(inFile(file, `node '${node.name}' (${node.op}): no type for output '${o}'`), node.name);
      scope.values[o] = t;
    });
    nodes.push(node);
  };

  const norm: NormContext = {
    opset: st.opset,
    file,
    typeOf: (v) => scope.typeOf(v),
    constantOf: (v) => scope.constantOf(v),
    constant(prefix, t) {
      const v = st.names.freshValue(prefix);
      scope.constants[v] = t;
      scope.values[v] = tensorType(t.dtype, t.shape);
      return v;
    },
    fresh: (prefix) => st.names.freshValue(prefix),
  };

  const graphOutputs = new Set((gp.output ?? []).map((vi) => vi.name ?? ""));
  const lowerOne = (n: OnnxNode): void => {
    const folded = st.fold && !n.outputs.some((o) => graphOutputs.has(o)) ? tryFold(n, norm) : undefined;
    if (!folded) return emit(n);
    n.outputs.forEach((o, k) => {
      if (scope.definesLocally(o)) throw new UserError(inFile(file, `node '${n.name}' (${n.op}) redefines value '${o}'`), n.name);
      scope.constants[o] = folded[k]!;
      scope.values[o] = tensorType(folded[k]!.dtype, folded[k]!.shape);
    });
  };

  const ordered = topoOrder(gp.node ?? [], (v) => scope.typeOf(v) !== undefined);
  ordered.forEach((np, k) => {
    const op = np.opType ?? "";
    const domain = np.domain ?? "";
    const base = np.name || `${op || "node"}_${k}`;
    // ai.onnx ops, plus the contrib ops quantpass knows (ir/ops/contrib.ts) in their own domain.
    const known = DEFAULT_DOMAINS.has(domain) ? !CONTRIB_OPS[op] : CONTRIB_OPS[op]?.domain === domain;
    if (!known) throw unsupportedOp(st, base, op, domain);
    const attrs = new Map<string, OnnxAttr>();
    for (const a of np.attribute ?? []) {
      if (a.refAttrName) throw new UnsupportedOpError(inFile(file, `node '${base}' (${op}): attribute references (functions) are not supported`), base);
      attrs.set(a.name ?? "", decodeAttr(a, file, `node '${base}' (${op})`));
    }
    if (op === "Constant") {
      const out = np.output?.[0];
      if (!out || (np.output?.length ?? 0) !== 1) throw new UserError(inFile(file, `node '${base}' (Constant) must have one output`), base);
      if (scope.definesLocally(out)) throw new UserError(inFile(file, `node '${base}' (Constant) redefines value '${out}'`), base);
      const t = constantValue(attrs, base, file);
      scope.constants[out] = t;
      scope.values[out] = tensorType(t.dtype, t.shape);
      return;
    }
    const onnxNode: OnnxNode = { name: base, op, domain, inputs: trimInputs(np.input ?? []), outputs: trimInputs(np.output ?? []), attrs };
    for (const n of normalize(onnxNode, norm)) lowerOne(n);
  });

  const outputs = (gp.output ?? []).map((vi) => vi.name ?? "");
  for (const o of outputs)
    if (!scope.typeOf(o)) throw new UserError(inFile(file, `graph '${name}': output '${o}' is never defined`), o);
  return {
    name,
    stage: "float",
    inputs,
    outputs,
    values: { ...scope.values },
    constants: { ...scope.constants },
    nodes,
    meta: {},
  };
}

/** Drops trailing omitted ("") inputs or outputs. */
function trimInputs(xs: readonly string[]): string[] {
  const out = [...xs];
  while (out.length && out[out.length - 1] === "") out.pop();
  return out;
}

function unsupportedOp(st: State, node: string, op: string, domain: string): UnsupportedOpError {
  return new UnsupportedOpError(
    inFile(st.file, `node '${node}' uses op '${op}' (domain ${domain || "ai.onnx"}) which quantpass does not support`),
    node,
  );
}
