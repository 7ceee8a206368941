/**
 * Rewrites as data: a rule is `{ name, pattern, check(m) → ok | fail(reason), rewrite }`.
 * The pattern is a root op plus what each input must be (a kind of value, or the output
 * of a node matching a nested pattern); `check` decides the rest and says why not;
 * `rewrite` edits the graph through the GraphEditor. `applyRules` is the greedy driver:
 * it sweeps the nodes in order, applies the first rule that matches and checks at each
 * node (then looks at that position again), and repeats sweeps until nothing applies.
 * Applied rules are counted as `rule:<name>`, rejections as `rule:<name>:rejected`.
 */
import { isFloat, producers, type Graph, type GraphEditor, type Node, type Tensor, type TensorType } from "@quantpass/ir";

export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };
export const ok: CheckResult = Object.freeze({ ok: true });
export function fail(reason: string): CheckResult {
  return { ok: false, reason };
}

/** What a value must be: any value, a float (non-quantized) value, a quantized value, a constant, or a node's output. */
export type ValuePattern = "any" | "float" | "int" | "const" | "int-const" | "float-const" | NodePattern;

export interface NodePattern {
  readonly op: string | readonly string[];
  /** Patterns for the first inputs (missing entries: anything; omitted optional inputs never match). */
  readonly inputs?: readonly ValuePattern[];
}

export interface Match {
  readonly root: Node;
  /** The graph as it is now (a live view while the driver edits). */
  readonly graph: Graph;
  type(value: string): TensorType;
  constant(value: string): Tensor | undefined;
  producer(value: string): Node | undefined;
}

export interface RewriteRule {
  readonly name: string;
  readonly summary?: string;
  readonly pattern: NodePattern;
  check(m: Match): CheckResult;
  rewrite(m: Match, e: GraphEditor): void;
}

export interface Rejection {
  readonly rule: string;
  readonly node: string;
  readonly reason: string;
}

export interface DriverResult {
  readonly applied: Readonly<Record<string, number>>;
  /** The last reason each rule gave for each node it matched but did not rewrite. */
  readonly rejected: readonly Rejection[];
}

function opMatches(p: NodePattern, op: string): boolean {
  return typeof p.op === "string" ? p.op === op : p.op.includes(op);
}

export function matchValue(g: Graph, prod: Map<string, Node>, v: string, p: ValuePattern): boolean {
  if (!v) return false;
  const t = g.values[v];
  if (!t) return false;
  const isConst = v in g.constants;
  switch (p) {
    case "any": return true;
    case "float": return isFloat(t.dtype) && !t.quant;
    case "int": return t.quant !== undefined;
    case "const": return isConst;
    case "int-const": return isConst && t.quant !== undefined;
    case "float-const": return isConst && isFloat(t.dtype) && !t.quant;
    default: {
      const n = prod.get(v);
      return n !== undefined && matchNode(g, prod, n, p);
    }
  }
}

export function matchNode(g: Graph, prod: Map<string, Node>, n: Node, p: NodePattern): boolean {
  if (!opMatches(p, n.op)) return false;
  return (p.inputs ?? []).every((ip, i) => matchValue(g, prod, n.inputs[i] ?? "", ip));
}

/** Runs the rules greedily to a fixed point inside an edit; counts through `count`. */
export function applyRules(e: GraphEditor, rules: readonly RewriteRule[], count?: (key: string, n?: number) => void): DriverResult {
  const applied: Record<string, number> = {};
  const rejected = new Map<string, Rejection>();
  const g = e.draft as unknown as Graph;
  let budget = 10 * g.nodes.length + 100;
  let prod: Map<string, Node> | undefined;
  const match = (root: Node): Match => ({
    root,
    graph: g,
    type: (v) => g.values[v]!,
    constant: (v) => g.constants[v],
    producer: (v) => (prod ??= producers(g)).get(v),
  });
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < g.nodes.length; i++) {
      const node = g.nodes[i]!;
      for (const rule of rules) {
        prod ??= producers(g);
        if (!matchNode(g, prod, node, rule.pattern)) continue;
        const m = match(node);
        const r = rule.check(m);
        const key = `${rule.name}\u0000${node.name}`;
        if (!r.ok) {
          rejected.set(key, { rule: rule.name, node: node.name, reason: r.reason });
          continue;
        }
        rejected.delete(key);
        rule.rewrite(m, e);
        prod = undefined;
        applied[rule.name] = (applied[rule.name] ?? 0) + 1;
        count?.(`rule:${rule.name}`);
        changed = true;
        if (--budget < 0) throw new Error(`rewrite rules did not reach a fixed point (last: '${rule.name}' at node '${node.name}')`);
        i--; // look at this position again
        break;
      }
    }
  }
  for (const r of rejected.values()) count?.(`rule:${r.rule}:rejected`);
  return { applied, rejected: [...rejected.values()] };
}
