/**
 * bias-correct (fake-quant → fake-quant): empirical bias correction (Nagel et al. 2019,
 * "Data-Free Quantization", §4.2; AIMET, NNCF FastBiasCorrection / BiasCorrection). For each
 * quantized Conv / Gemm / MatMul+Add layer, the mean output error per output channel on the
 * calibration data, E[y_q − y], is subtracted from the layer's bias (a Conv or Gemm without
 * one gets one; a MatMul is corrected through a following Add of a constant).
 *
 *   %w.q = fake_quant(%w) {axis=0, ...}            %w.q = fake_quant(%w) {axis=0, ...}
 *   %y = Conv(%x.q, %w.q, %b)               →      %y = Conv(%x.q, %w.q, %b)      (%b := %b − E[y_q − y])
 *
 * Modes: `fast` (default; NNCF FastBiasCorrection): each layer is quantized alone on its
 * float input (one run over the data for all layers). `sequential` (NNCF BiasCorrection):
 * layers in topological order, the quantized model with the corrections made so far gives
 * y_q, the float model on the float input gives y, so each correction also absorbs the mean
 * shift that upstream layers carry in; one run over the data per level of the layer DAG.
 * Measured (QDQ on onnxruntime): silero VAD decoder a8w8 max |dp| 0.059 → 0.024 (both modes);
 * PP-OCRv4 rec all-int8 minmax 166/200 lines → 165 (fast), 122 (sequential).
 * Needs ctx.executor (it runs fake-quant graphs) and ctx.data. A layer is quantized when one
 * of its inputs is a fake_quant output; layer policy options narrow the choice.
 * `deploy=true` (the PTQ config's deploy mode): no data; every correction is zero, applied in
 * the same order, so the graph gets exactly the bias constants (created `<node>.bias`,
 * `<bias>.bc` for a shared one) that the checkpoint's values then replace.
 */
import { consumers, edit, producers, Tensor, UserError, type Graph, type Node, type Stage } from "@quantpass/ir";
import { z } from "zod";
import { definePass, type PassContext } from "../pass.js";
import { forEachBatch, runContext } from "./batches.js";
import { LayerPolicyOptions, selectNodes } from "./policy.js";

export const BiasCorrectOptions = z.object({
  /** fast (default): each layer on its float input, one run; sequential: quantized upstream model, one run per layer level. */
  mode: z.enum(["fast", "sequential"]).default("fast"),
  /** Use at most this many calibration batches; default 0 (all). */
  batches: z.number().int().min(0).default(0),
  /** Deploy mode: build the structure only (zero corrections, no executor or data); a quantized checkpoint holds the real biases. */
  deploy: z.boolean().default(false),
  ...LayerPolicyOptions,
});

/** A correctable layer: the value whose per-channel mean is measured and where its bias lives. */
export interface BiasSite {
  readonly node: Node;
  /** Output measured (the Conv/Gemm/MatMul output). */
  readonly out: string;
  readonly axis: number;
  readonly channels: number;
  /** Node and input index holding the bias ("" input: absent, created). */
  readonly biasNode: string;
  readonly biasInput: number;
  /** y changes by `scale` per unit of bias (Gemm beta, else 1). */
  readonly scale: number;
}

const isF32Const = (g: Graph, v: string | undefined) => !!v && g.constants[v]?.dtype === "f32";

/** Where the bias of a quantized layer is, or the reason it has none that can be corrected. */
export function biasSite(g: Graph, n: Node, uses: Map<string, Node[]>): BiasSite | string {
  const out = n.outputs[0]!;
  const t = g.values[out];
  if (!t || t.dtype !== "f32") return "output is not f32";
  const rank = t.shape.length;
  const axis = n.op === "MatMul" ? rank - 1 : 1;
  const channels = t.shape[axis];
  if (rank < 2 || typeof channels !== "number") return "output channel count is not static";
  const base = { node: n, out, axis, channels };
  const okBias = (v: string | undefined, lastOnly: boolean) => {
    if (!v) return true;
    if (!isF32Const(g, v)) return false;
    const s = g.constants[v]!.shape;
    return s.length >= 1 && s[s.length - 1] === channels && s.slice(0, -1).every((d) => d === 1) && (!lastOnly || s.length <= rank);
  };
  if (n.op === "Conv") {
    const b = n.inputs[2];
    return okBias(b, false) && (!b || g.constants[b]!.shape.length === 1) ? { ...base, biasNode: n.name, biasInput: 2, scale: 1 } : "bias is not a constant [C]";
  }
  if (n.op === "Gemm") {
    const beta = (n.attrs.beta as number | undefined) ?? 1;
    if (beta === 0) return "beta is 0";
    return okBias(n.inputs[2], true) ? { ...base, biasNode: n.name, biasInput: 2, scale: beta } : "C is not a constant [N] or [1, N]";
  }
  if (n.op === "MatMul") {
    const readers = uses.get(out) ?? [];
    const add = readers.length === 1 && !g.outputs.includes(out) ? readers[0]! : undefined;
    if (!add || add.op !== "Add") return "no Add of a constant follows";
    const k = add.inputs[0] === out ? 1 : 0;
    if (add.inputs[1 - k] !== out || !isF32Const(g, add.inputs[k]) || !okBias(add.inputs[k], true)) return "no Add of a constant [N] follows";
    return { ...base, biasNode: add.name, biasInput: k, scale: 1 };
  }
  return `op ${n.op} has no bias`;
}

/** The graph with every fake_quant bypassed (the float model). */
export function floatModel(g: Graph): Graph {
  return edit(g, (e) => {
    for (const n of g.nodes.filter((x) => x.op === "fake_quant")) {
      e.replaceAllUses(n.outputs[0]!, n.inputs[0]!);
      e.removeNode(n.name);
    }
    e.pruneValues();
    (e.draft as { stage: Stage }).stage = "float";
  });
}

/** Per-channel sums along `axis`, accumulated into acc; returns the elements per channel. */
export function channelSums(t: Tensor, axis: number, acc: Float64Array): number {
  const x = t.toF32();
  const c = t.shape[axis]!;
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = t.size / (c * inner) || 0;
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < c; k++) {
      let s = 0;
      const base = (o * c + k) * inner;
      for (let i = 0; i < inner; i++) s += x[base + i]!;
      acc[k]! += s;
    }
  return outer * inner;
}

interface Measured { readonly name: string; readonly axis: number; readonly channels: number }

/** Per-channel means of the named values of g over the calibration data. */
async function channelMeans(g: Graph, values: readonly Measured[], ctx: PassContext, limit: number, label: string): Promise<Map<string, Float64Array>> {
  const sums = values.map((v) => new Float64Array(v.channels));
  const counts = values.map(() => 0);
  await forEachBatch(g, ctx, "bias-correct", { fetch: values.map((v) => v.name), limit, label }, (out) =>
    values.forEach((v, k) => {
      const t = out[v.name]!;
      if (t.shape[v.axis] !== v.channels) throw new UserError(`bias-correct: '%${v.name}' has ${t.shape[v.axis]} channels on axis ${v.axis}, expected ${v.channels}`, v.name);
      counts[k]! += channelSums(t, v.axis, sums[k]!);
    }),
  );
  return new Map(values.map((v, k) => [v.name, sums[k]!.map((s) => s / Math.max(1, counts[k]!))]));
}

/** The fast variant's probe graph: each layer re-run on its float input with its fake_quants, output `<out>.bc`. */
function probeGraph(g: Graph, sites: readonly BiasSite[]): { graph: Graph; probes: Map<string, string> } {
  const prod = producers(g);
  const resolve = (v: string): string => {
    const p = prod.get(v);
    return p?.op === "fake_quant" ? resolve(p.inputs[0]!) : v;
  };
  const probes = new Map<string, string>();
  const f = floatModel(g);
  const graph = edit(f, (e) => {
    for (const s of sites) {
      const inputs = s.node.inputs.map((i) => {
        const p = i ? prod.get(i) : undefined;
        if (!i || p?.op !== "fake_quant") return i && resolve(i);
        const v = e.freshValue(`${i}.bc`);
        e.insertNode({ name: e.freshNodeName(`${p.name}.bc`), op: "fake_quant", inputs: [resolve(p.inputs[0]!)], outputs: [v], attrs: p.attrs }, [g.values[i]!]);
        return v;
      });
      const y = e.freshValue(`${s.out}.bc`);
      e.insertNode({ ...s.node, name: e.freshNodeName(`${s.node.name}.bc`), inputs, outputs: [y] }, [g.values[s.out]!]);
      probes.set(s.out, y);
    }
    (e.draft as { stage: Stage }).stage = "fake-quant";
  });
  return { graph, probes };
}

/** g with each site's bias moved by −err/scale (new constant when absent or shared). */
function applyCorrections(g: Graph, fixes: readonly { site: BiasSite; err: Float64Array }[]): Graph {
  const uses = consumers(g);
  return edit(g, (e) => {
    for (const { site, err } of fixes) {
      const k = e.indexOf(site.biasNode);
      const node = e.draft.nodes[k]!;
      const old = node.inputs[site.biasInput] || undefined;
      const prev = old ? g.constants[old]!.toF32() : new Float32Array(site.channels);
      const next = Tensor.f32(old ? g.constants[old]!.shape : [site.channels], prev.map((b, c) => b - err[c]! / site.scale));
      if (old && (uses.get(old) ?? []).length === 1 && !g.outputs.includes(old)) (e.draft.constants as Record<string, Tensor>)[old] = next;
      else {
        const name = e.addConstant(old ? `${old}.bc` : `${site.node.name}.bias`, next);
        const inputs = [...node.inputs];
        while (inputs.length <= site.biasInput) inputs.push("");
        inputs[site.biasInput] = name;
        node.inputs = inputs;
      }
    }
  });
}

/** Quantized layers (reading a fake_quant output) among the policy's choice, with their bias sites. */
function sitesOf(g: Graph, o: z.output<typeof BiasCorrectOptions>, ctx: PassContext): BiasSite[] {
  const prod = producers(g);
  const uses = consumers(g);
  const sites: BiasSite[] = [];
  for (const n of selectNodes(g, o)) {
    if (!n.inputs.some((i) => i && prod.get(i)?.op === "fake_quant")) continue;
    const s = biasSite(g, n, uses);
    if (typeof s === "string") ctx.count("no-bias");
    else sites.push(s);
  }
  return sites;
}

/** For each site, the sites upstream of it (through any path). */
function upstreamSites(g: Graph, sites: readonly BiasSite[]): Map<BiasSite, Set<BiasSite>> {
  const prod = producers(g);
  const byNode = new Map(sites.map((s) => [s.node.name, s]));
  const memo = new Map<string, Set<BiasSite>>();
  const above = (n: Node): Set<BiasSite> => {
    let r = memo.get(n.name);
    if (r) return r;
    r = new Set();
    memo.set(n.name, r);
    for (const i of n.inputs) {
      const p = i ? prod.get(i) : undefined;
      if (!p) continue;
      const s = byNode.get(p.name);
      if (s) r.add(s);
      for (const x of above(p)) r.add(x);
    }
    return r;
  };
  for (const n of g.nodes) above(n); // graph order: memoised without deep recursion
  return new Map(sites.map((s) => [s, above(s.node)]));
}

/** Sites corrected together, in order: all at once (fast), or one DAG level at a time (sequential). */
function levels(g: Graph, sites: readonly BiasSite[]): BiasSite[][] {
  const up = upstreamSites(g, sites);
  const out: BiasSite[][] = [];
  let pending = new Set(sites);
  while (pending.size) {
    const ready = [...pending].filter((s) => ![...up.get(s)!].some((u) => pending.has(u)));
    out.push(ready);
    pending = new Set([...pending].filter((s) => !ready.includes(s)));
  }
  return out;
}

/** deploy=true: the corrected graph's structure with zero corrections (same constants, same names). */
function deployStructure(g: Graph, o: z.output<typeof BiasCorrectOptions>, ctx: PassContext): Graph {
  const sites = sitesOf(g, o, ctx);
  if (!sites.length) return g;
  const zero = (s: BiasSite) => ({ site: s, err: new Float64Array(s.channels) });
  let out = g;
  for (const level of o.mode === "fast" ? [sites] : levels(g, sites)) out = applyCorrections(out, level.map(zero));
  ctx.count("placeholders", sites.length);
  return out;
}

export const biasCorrect = definePass({
  name: "bias-correct",
  summary: "subtract each quantized layer's mean output error per channel (on calibration data) from its bias",
  options: BiasCorrectOptions,
  requires: ["fake-quant"],
  async run(g: Graph, o, ctx) {
    if (o.deploy) return deployStructure(g, o, ctx);
    runContext(ctx, "bias-correct");
    const sites = sitesOf(g, o, ctx);
    if (!sites.length) return g;
    const measured = (s: BiasSite, name = s.out): Measured => ({ name, axis: s.axis, channels: s.channels });
    const ref = await channelMeans(floatModel(g), sites.map((s) => measured(s)), ctx, o.batches, "bias-correct float");
    const errOf = (s: BiasSite, q: Float64Array) => q.map((v, c) => v - ref.get(s.out)![c]!);
    let runs = 1;
    let out = g;
    if (o.mode === "fast") {
      const { graph, probes } = probeGraph(g, sites);
      const q = await channelMeans(graph, sites.map((s) => measured(s, probes.get(s.out)!)), ctx, o.batches, "bias-correct");
      out = applyCorrections(g, sites.map((s) => ({ site: s, err: errOf(s, q.get(probes.get(s.out)!)!) })));
      runs++;
    } else {
      for (const ready of levels(g, sites)) {
        const q = await channelMeans(out, ready.map((s) => measured(s)), ctx, o.batches, `bias-correct level ${runs}`);
        out = applyCorrections(out, ready.map((s) => ({ site: s, err: errOf(s, q.get(s.out)!) })));
        runs++;
      }
    }
    ctx.count("corrected", sites.length);
    ctx.count("runs", runs);
    return out;
  },
});
