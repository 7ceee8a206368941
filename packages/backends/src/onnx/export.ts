/**
 * IR → ONNX. Constants become initializers (raw_data), attributes AttributeProtos by the op's
 * schema kind, graph inputs and outputs get value_info (symbols → dim_param, "?" → no value),
 * If branches become subgraphs, and ops are rewritten from the IR's newest form into the
 * target opset's form (opset/). Deterministic: the same graph gives the same bytes.
 */
import { encodeOnnx, makeAttr, rawToOnnxTensor, writeOnnxFile, type AttrKind as OnnxAttrKind, type onnx } from "@quantpass/formats";
import {
  CONTRIB_OPS, contribDomainVersion, getOp, isGraph, UnsupportedOpError, UserError,
  type AttrKind, type AttrValue, type Graph, type Tensor, type TensorType,
} from "@quantpass/ir";
import { EXPORT_RULES, lowerNodes, type ExportContext, type ExportNode, type ExportRule } from "./opset/index.js";
import { irVersionFor, valueInfo } from "./value-info.js";

export const MIN_EXPORT_OPSET = 13;
export const MAX_EXPORT_OPSET = 21;

export interface ExportOptions {
  /** Target ai.onnx opset, 13..21 (default 21). */
  readonly opset?: number;
  /** Extra rules tried before the built-in table (e.g. lowering quantpass ops to QDQ). */
  readonly rules?: readonly ExportRule[];
  /** Opset versions of non-default domains that rules emit (e.g. { "com.microsoft": 1 }). */
  readonly domains?: Readonly<Record<string, number>>;
}

interface State {
  readonly opset: number;
  readonly rules: readonly ExportRule[];
  readonly names: Set<string>;
  readonly domains: Set<string>;
}

type Scope = (name: string) => TensorType | undefined;

/** The ModelProto for `graph` at the target opset. UnsupportedOpError names what cannot be written. */
export function exportOnnx(graph: Graph, opts: ExportOptions = {}): onnx.IModelProto {
  const opset = opts.opset ?? MAX_EXPORT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_EXPORT_OPSET || opset > MAX_EXPORT_OPSET)
    throw new UserError(`onnx export: opset ${opset} is not supported (quantpass writes opsets ${MIN_EXPORT_OPSET} to ${MAX_EXPORT_OPSET})`, "opset");
  const st: State = { opset, rules: [...(opts.rules ?? []), ...EXPORT_RULES], names: new Set(), domains: new Set() };
  collectNames(graph, st.names);
  const g = graphProto(graph, undefined, undefined, st, true);
  const opsetImport: onnx.IOperatorSetIdProto[] = [{ domain: "", version: opset }];
  for (const d of [...st.domains].sort()) {
    const v = opts.domains?.[d] ?? contribDomainVersion(d);
    if (v === undefined) throw new UserError(`onnx export: nodes use domain '${d}' but no opset version was given for it`, d);
    opsetImport.push({ domain: d, version: v });
  }
  return { irVersion: irVersionFor(opset), producerName: "quantpass", producerVersion: "0.1.0", opsetImport, graph: g };
}

/** The encoded model bytes. */
export function exportOnnxBytes(graph: Graph, opts: ExportOptions = {}): Uint8Array {
  return encodeOnnx(exportOnnx(graph, opts));
}

/** Writes the model atomically (temp file + rename); large weights may go to an external data file. */
export async function saveOnnx(graph: Graph, path: string, opts: ExportOptions & { externalDataFile?: string } = {}): Promise<void> {
  await writeOnnxFile(path, exportOnnx(graph, opts), opts.externalDataFile ? { externalDataFile: opts.externalDataFile } : {});
}

function collectNames(g: Graph, names: Set<string>): void {
  for (const v of Object.keys(g.values)) names.add(v);
  for (const n of g.nodes) for (const a of Object.values(n.attrs)) if (isGraph(a)) collectNames(a, names);
}

function fresh(st: State, prefix: string): string {
  let n = prefix;
  for (let k = 1; st.names.has(n); k++) n = `${prefix}_${k}`;
  st.names.add(n);
  return n;
}

function graphProto(g: Graph, outer: Scope | undefined, outerConst: ((n: string) => Tensor | undefined) | undefined, st: State, main: boolean): onnx.IGraphProto {
  const values: Record<string, TensorType> = { ...g.values };
  const constants: Record<string, Tensor> = { ...g.constants };
  const typeOf: Scope = (n) => values[n] ?? outer?.(n);
  const constantOf = (n: string) => (n in values ? constants[n] : outerConst?.(n));
  const ctx: ExportContext = {
    opset: st.opset,
    typeOf,
    constantOf,
    constant(prefix, t) {
      const name = fresh(st, prefix);
      constants[name] = t;
      values[name] = { dtype: t.dtype, shape: t.shape };
      return name;
    },
    fresh: (prefix) => fresh(st, prefix),
  };
  const nodes: onnx.INodeProto[] = [];
  const produced = new Set<string>();
  for (const node of g.nodes) {
    if (!getOp(node.op)) throw new UnsupportedOpError(`onnx export: node '${node.name}' uses unknown op '${node.op}'`, node.name);
    for (const n of lowerNodes(st.rules, { ...node }, ctx)) {
      nodes.push(nodeProto(n, typeOf, constantOf, st));
      for (const o of n.outputs) produced.add(o);
    }
  }
  // A subgraph output must be computed inside it: pass outer values and constants through Identity.
  const outputs = g.outputs.map((o) => {
    if (main || produced.has(o)) return o;
    const id = fresh(st, `${o}_out`);
    values[id] = typeOf(o)!;
    nodes.push({ name: fresh(st, `${g.name}/${o}_identity`), opType: "Identity", domain: "", input: [o], output: [id] });
    return id;
  });
  const info = (n: string): onnx.IValueInfoProto => {
    const t = typeOf(n);
    if (!t) throw new UserError(`onnx export: value '${n}' of graph '${g.name}' has no type`, n);
    checkDType(t.dtype, n, st);
    return valueInfo(n, t);
  };
  return {
    name: g.name,
    node: nodes,
    initializer: Object.entries(constants).map(([name, t]) => {
      checkDType(t.dtype, name, st);
      return rawToOnnxTensor(name, { dtype: t.dtype, dims: [...t.shape], data: t.data });
    }),
    input: g.inputs.map(info),
    output: outputs.map(info),
  };
}

function checkDType(dtype: string, what: string, st: State): void {
  if ((dtype === "i4" || dtype === "u4") && st.opset < 21)
    throw new UnsupportedOpError(`onnx export: '${what}' is ${dtype}, which needs opset 21`, what);
}

function nodeProto(n: ExportNode, typeOf: Scope, constantOf: (n: string) => Tensor | undefined, st: State): onnx.INodeProto {
  // Contrib ops (ir/ops/contrib.ts, e.g. MatMulNBits) are written in their own domain.
  const domain = n.domain ?? CONTRIB_OPS[n.op]?.domain ?? "";
  if (domain) st.domains.add(domain);
  else if (/^[a-z]/.test(n.op))
    throw new UnsupportedOpError(`onnx export: node '${n.name}' uses quantpass op '${n.op}', which has no ONNX form (lower it first)`, n.name);
  const def = domain && !CONTRIB_OPS[n.op] ? undefined : getOp(n.op);
  const attribute = Object.keys(n.attrs).sort().map((k) => {
    const v = n.attrs[k]!;
    if (isGraph(v)) return makeAttr(k, graphProto(v, typeOf, constantOf, st, false), "graph");
    const kind = def?.attrs[k]?.kind;
    return makeAttr(k, attrInput(v), kind ? ONNX_KIND[kind] : undefined);
  });
  return { name: n.name, opType: n.op, domain, input: [...n.inputs], output: [...n.outputs], attribute };
}

const ONNX_KIND: Record<AttrKind, OnnxAttrKind> = {
  int: "int", float: "float", string: "string", ints: "ints", floats: "floats", strings: "strings", tensor: "tensor", graph: "graph",
};

function attrInput(v: AttrValue): Parameters<typeof makeAttr>[1] {
  if (typeof v === "number" || typeof v === "string") return v;
  if (Array.isArray(v)) return [...v] as number[] | string[];
  const t = v as Tensor;
  return { dtype: t.dtype, dims: [...t.shape], data: t.data };
}
