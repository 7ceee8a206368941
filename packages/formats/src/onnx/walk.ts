/**
 * Copy-on-write traversal of every TensorProto in a model: graph initializers, sparse
 * initializers, node attributes (t, tensors, sparse tensors), subgraphs (g, graphs) at any
 * depth, functions and training info. Containers are copied only where a tensor changed, so
 * an identity function returns the model itself and an in-place mutator copies nothing.
 */
import { fail } from "../errors.js";
import type { onnx } from "./proto.js";

export const TENSOR_DEFAULT = 0;
export const TENSOR_EXTERNAL = 1;

/** Subgraph nesting bound; deeper models are rejected rather than risking the stack. */
export const MAX_GRAPH_DEPTH = 64;

export type TensorFn = (t: onnx.ITensorProto) => onnx.ITensorProto;

type Ctx = { fn: TensorFn; file?: string };

export function mapModelTensors(model: onnx.IModelProto, fn: TensorFn, file?: string): onnx.IModelProto {
  const c: Ctx = { fn, file };
  return withFields(model, {
    graph: model.graph ? mapGraph(model.graph, c, 0) : model.graph,
    functions: mapList(model.functions, (f) => withFields(f, { node: mapList(f.node, (n) => mapNode(n, c, 1)) })),
    trainingInfo: mapList(model.trainingInfo, (ti) =>
      withFields(ti, {
        initialization: ti.initialization ? mapGraph(ti.initialization, c, 1) : ti.initialization,
        algorithm: ti.algorithm ? mapGraph(ti.algorithm, c, 1) : ti.algorithm,
      }),
    ),
  });
}

function mapGraph(g: onnx.IGraphProto, c: Ctx, depth: number): onnx.IGraphProto {
  if (depth > MAX_GRAPH_DEPTH) fail(`subgraphs nested deeper than ${MAX_GRAPH_DEPTH}`, c.file);
  return withFields(g, {
    initializer: mapList(g.initializer, c.fn),
    sparseInitializer: mapList(g.sparseInitializer, (s) => mapSparse(s, c)),
    node: mapList(g.node, (n) => mapNode(n, c, depth)),
  });
}

function mapNode(n: onnx.INodeProto, c: Ctx, depth: number): onnx.INodeProto {
  return withFields(n, {
    attribute: mapList(n.attribute, (a) =>
      withFields(a, {
        t: a.t ? c.fn(a.t) : a.t,
        tensors: mapList(a.tensors, c.fn),
        sparseTensor: a.sparseTensor ? mapSparse(a.sparseTensor, c) : a.sparseTensor,
        sparseTensors: mapList(a.sparseTensors, (s) => mapSparse(s, c)),
        g: a.g ? mapGraph(a.g, c, depth + 1) : a.g,
        graphs: mapList(a.graphs, (g) => mapGraph(g, c, depth + 1)),
      }),
    ),
  });
}

function mapSparse(s: onnx.ISparseTensorProto, c: Ctx): onnx.ISparseTensorProto {
  return withFields(s, {
    values: s.values ? c.fn(s.values) : s.values,
    indices: s.indices ? c.fn(s.indices) : s.indices,
  });
}

function mapList<T>(xs: T[] | null | undefined, f: (x: T) => T): T[] | null | undefined {
  if (!Array.isArray(xs)) return xs;
  let changed = false;
  const out = xs.map((x) => {
    const y = f(x);
    if (y !== x) changed = true;
    return y;
  });
  return changed ? out : xs;
}

/** `obj` with `changes` applied, the same object when nothing differs (prototype kept). */
function withFields<T extends object>(obj: T, changes: Partial<T>): T {
  const keys = Object.keys(changes) as (keyof T)[];
  if (keys.every((k) => changes[k] === obj[k])) return obj;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(obj) as object) as T, obj);
  for (const k of keys) if (changes[k] !== obj[k]) copy[k] = changes[k] as T[keyof T];
  return copy;
}
