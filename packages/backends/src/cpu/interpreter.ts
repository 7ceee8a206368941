/**
 * The cpu reference interpreter: runs any graph at any stage, node by node, with
 * exact integer semantics. Values are freed after their last use.
 */
import { getOp, UnsupportedOpError, UserError, type Executor, type Graph, type RunOptions, type Tensor, type AttrValue, type Node, type TensorType, nodeReads, isGraph } from "@quantpass/ir";
import { getKernel, type Kernel, type KernelContext } from "./kernel-registry.js";
import { checkFeeds } from "./feeds.js";
import "./ops/index.js";

export class CpuInterpreter implements Executor {
  readonly name = "cpu";

  async run(graph: Graph, feeds: Readonly<Record<string, Tensor>>, opts: RunOptions = {}): Promise<Record<string, Tensor>> {
    return this.runSync(graph, feeds, opts);
  }

  /** Synchronous run; throws UserError on bad feeds or unsupported ops. */
  runSync(graph: Graph, feeds: Readonly<Record<string, Tensor>>, opts: RunOptions = {}): Record<string, Tensor> {
    checkFeeds(graph, feeds);
    const env = new Map<string, Tensor>();
    for (const [k, v] of Object.entries(graph.constants)) env.set(k, v);
    for (const k of graph.inputs) env.set(k, feeds[k]!);
    const keep = new Set([...graph.outputs, ...(opts.fetch ?? [])]);
    execute(graph, env, keep);
    const out: Record<string, Tensor> = {};
    for (const k of keep) {
      const t = env.get(k);
      if (!t) throw new UserError(`cpu: value '%${k}' was not computed`, k);
      out[k] = t;
    }
    return out;
  }
}

/** Runs g's nodes against env (which holds inputs, constants and any outer scope). */
function execute(g: Graph, env: Map<string, Tensor>, keep: ReadonlySet<string>, outer?: (n: string) => TensorType | undefined): void {
  const types = (n: string): TensorType | undefined => g.values[n] ?? outer?.(n);
  const last = new Map<string, number>();
  g.nodes.forEach((n, k) => nodeReads(n).forEach((i) => last.set(i, k)));
  const folded = constantOutputs(g);
  g.nodes.forEach((node, k) => {
    const kernel = getKernel(node.op);
    if (!kernel) throw new UnsupportedOpError(`cpu: no kernel for op '${node.op}' at node '${node.name}'`, node.name);
    const inputs = node.inputs.map((i) => {
      if (!i) return undefined;
      const t = env.get(i);
      if (!t) throw new UserError(`cpu: node '${node.name}' reads '%${i}', which has no value`, node.name);
      return t;
    });
    const cached = folded.get(node);
    const outs = cached?.outs ?? runKernel(kernel, node, inputs, contextFor(node, env, types));
    if (cached && !cached.outs) cached.outs = outs;
    node.outputs.forEach((o, j) => {
      if (!o) return;
      const t = outs[j];
      if (!t) throw new Error(`cpu: kernel ${node.op} at node '${node.name}' returned no output ${j}`);
      env.set(o, t);
    });
    for (const i of nodeReads(node))
      if (last.get(i) === k && !keep.has(i) && !(i in g.constants) && !g.inputs.includes(i)) env.delete(i);
  });
}

/**
 * Nodes computed from constants alone (e.g. the dequantize of an int weight) give the same
 * outputs on every run: they are computed on the first run of a graph and kept with it.
 */
const CONSTANT_NODES = new WeakMap<Graph, Map<Node, { outs?: Tensor[] }>>();

function constantOutputs(g: Graph): Map<Node, { outs?: Tensor[] }> {
  let m = CONSTANT_NODES.get(g);
  if (m) return m;
  m = new Map();
  const known = new Set(Object.keys(g.constants));
  for (const n of g.nodes) {
    const pure = n.inputs.some((i) => i) && nodeReads(n).every((i) => known.has(i)) && !Object.values(n.attrs).some(isGraph);
    if (!pure) continue;
    m.set(n, {});
    for (const o of n.outputs) if (o) known.add(o);
  }
  CONSTANT_NODES.set(g, m);
  return m;
}

/** Calls a kernel; any error it throws names the node (user errors stay user errors). */
function runKernel(kernel: Kernel, node: Node, inputs: (Tensor | undefined)[], ctx: KernelContext): Tensor[] {
  try {
    return kernel(inputs, ctx);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (msg.includes(`node '${node.name}'`)) throw e;
    const where = `cpu: node '${node.name}' (${node.op}): ${msg}`;
    if (e instanceof UserError) throw new UserError(where, node.name);
    throw new Error(where, { cause: e });
  }
}

function contextFor(node: Node, env: Map<string, Tensor>, types: (n: string) => TensorType | undefined): KernelContext {
  const def = getOp(node.op);
  const fail = (msg: string): never => {
    throw new UserError(`cpu: node '${node.name}' (${node.op}): ${msg}`, node.name);
  };
  return {
    node,
    attr<T extends AttrValue>(name: string): T {
      const v = node.attrs[name] ?? def?.attrs[name]?.default;
      if (v === undefined) return fail(`missing attribute '${name}'`);
      return v as T;
    },
    has: (name) => node.attrs[name] !== undefined,
    inputTypes: node.inputs.map((i) => (i ? types(i) : undefined)),
    runSubgraph(sub: Graph): Tensor[] {
      const scope = new Map(env);
      for (const [k, v] of Object.entries(sub.constants)) scope.set(k, v);
      execute(sub, scope, new Set(sub.outputs), types);
      return sub.outputs.map((o) => scope.get(o)!);
    },
    fail,
  };
}
