/**
 * Layer classes of a PTQ config and the pass options that select them. Without the graph,
 * a set of classes is expressed with the layer-policy options every PTQ pass takes
 * (ptq/policy.ts: ops, skip, include, exclude):
 *
 * - class k < n is "policy k is the first policy whose regex P_k matches the node name";
 *   the default class (index n) is "no policy matches". Policies with `skip: true` are
 *   classes that no pass selects; the config's `skip` list goes to every pass as `skip`.
 * - A set of classes becomes (simplest first): nothing (all classes), `exclude=P_0|..|P_k-1`
 *   (all but a prefix of the policies), `include=P_0|..|P_k-1` (a prefix, no default), or one
 *   `include` regex of anchored lookaheads: `^(?:(?!.*?(?:P_0))(?=.*?(?:P_1))|...)` for
 *   "first match is policy 1 or ...". Lookaheads search the first line of a name only.
 */
import type { PtqConfig } from "./schema.js";

export interface LayerClass {
  /** Policy index, or -1 for the default class (no policy matches). */
  readonly policy: number;
  readonly skip: boolean;
  readonly weight: PtqConfig["weight"];
  readonly activation: { readonly dtype: "int8" | "none"; readonly granularity: "per-tensor" | "per-token" };
}

/** The policies' classes in order, then the default class. */
export function layerClasses(cfg: PtqConfig): LayerClass[] {
  const base = { dtype: cfg.activation.dtype, granularity: cfg.activation.granularity };
  return [
    ...cfg.policies.map((p, k) => ({ policy: k, skip: p.skip === true, weight: { ...cfg.weight, ...p.weight }, activation: { ...base, ...p.activation } })),
    { policy: -1, skip: false, weight: cfg.weight, activation: base },
  ];
}

export interface Selection {
  readonly include?: string;
  readonly exclude?: string;
}

const alt = (ps: readonly string[]) => (ps.length === 1 ? ps[0]! : ps.map((p) => `(?:${p})`).join("|"));
const isPrefix = (idx: readonly number[]) => idx.findIndex((v, k) => v !== k) === -1 && idx.length > 0;

/**
 * include/exclude options selecting exactly the nodes whose class is chosen; undefined when
 * no class is chosen.
 */
export function selection(cfg: PtqConfig, chosen: (c: LayerClass) => boolean): Selection | undefined {
  const classes = layerClasses(cfg);
  const ps = cfg.policies.map((p) => p.match);
  const n = ps.length;
  const yes = classes.filter(chosen).map((c) => (c.policy < 0 ? n : c.policy));
  const no = classes.filter((c) => !chosen(c)).map((c) => (c.policy < 0 ? n : c.policy));
  if (!yes.length) return undefined;
  if (!no.length) return {};
  if (isPrefix(no)) return { exclude: alt(ps.slice(0, no.length)) };
  if (isPrefix(yes)) return { include: alt(ps.slice(0, yes.length)) };
  const term = (k: number) => ps.slice(0, k).map((p) => `(?!.*?(?:${p}))`).join("") + (k < n ? `(?=.*?(?:${ps[k]}))` : "");
  return { include: `^(?:${yes.map(term).join("|")})` };
}
