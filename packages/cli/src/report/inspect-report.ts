/**
 * The facts `quantpass inspect` shows about a graph, as plain data (the --json form) and as
 * aligned text. Nodes, values and constants of subgraphs (If branches) are counted too.
 */
import { constantStats, formatShape, isGraph, type Dim, type Graph } from "@quantpass/ir";

export interface ValueInfo {
  readonly name: string;
  readonly dtype: string;
  /** Dims: numbers, or symbols by name ("batch"), or "?" when unknown. */
  readonly shape: readonly Dim[];
}

export interface DTypeParams {
  readonly dtype: string;
  readonly tensors: number;
  readonly params: number;
  readonly bytes: number;
}

export interface InspectReport {
  readonly model: string;
  readonly format: string;
  readonly graph: string;
  readonly stage: string;
  /** ONNX domain → opset version, from the graph's provenance (`opset.<domain>` meta keys). */
  readonly opsets: Readonly<Record<string, string>>;
  readonly nodes: number;
  readonly values: number;
  /** Op histogram: count descending, then op name. */
  readonly ops: readonly { readonly op: string; readonly count: number }[];
  readonly parameters: {
    readonly tensors: number;
    readonly params: number;
    readonly bytes: number;
    /** By dtype, most bytes first. */
    readonly byDtype: readonly DTypeParams[];
  };
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

/** Every graph in g: g itself, then its subgraphs depth first. */
function allGraphs(g: Graph): Graph[] {
  const out = [g];
  for (const n of g.nodes) for (const v of Object.values(n.attrs)) if (isGraph(v)) out.push(...allGraphs(v));
  return out;
}

function valueInfo(g: Graph, name: string): ValueInfo {
  const t = g.values[name];
  return { name, dtype: t?.dtype ?? "?", shape: t?.shape ?? [] };
}

export function inspectGraph(g: Graph, model: string, format: string): InspectReport {
  const graphs = allGraphs(g);
  const hist = new Map<string, number>();
  const params = new Map<string, { tensors: number; params: number; bytes: number }>();
  let nodes = 0;
  let values = 0;
  for (const sub of graphs) {
    nodes += sub.nodes.length;
    values += Object.keys(sub.values).length;
    for (const n of sub.nodes) hist.set(n.op, (hist.get(n.op) ?? 0) + 1);
    for (const [dtype, s] of constantStats(sub)) {
      const p = params.get(dtype) ?? { tensors: 0, params: 0, bytes: 0 };
      p.tensors += s.count; p.params += s.params; p.bytes += s.bytes;
      params.set(dtype, p);
    }
  }
  const ops = [...hist].map(([op, count]) => ({ op, count }))
    .sort((a, b) => b.count - a.count || (a.op < b.op ? -1 : a.op > b.op ? 1 : 0));
  const byDtype = [...params].map(([dtype, p]) => ({ dtype, ...p }))
    .sort((a, b) => b.bytes - a.bytes || (a.dtype < b.dtype ? -1 : 1));
  const opsets: Record<string, string> = {};
  for (const [k, v] of Object.entries(g.meta).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (k.startsWith("opset.")) opsets[k.slice("opset.".length) || "ai.onnx"] = v;
  return {
    model, format, graph: g.name, stage: g.stage, opsets, nodes, values, ops,
    parameters: {
      tensors: byDtype.reduce((a, p) => a + p.tensors, 0),
      params: byDtype.reduce((a, p) => a + p.params, 0),
      bytes: byDtype.reduce((a, p) => a + p.bytes, 0),
      byDtype,
    },
    inputs: g.inputs.map((n) => valueInfo(g, n)),
    outputs: g.outputs.map((n) => valueInfo(g, n)),
  };
}

/** 1234567 → "1,234,567". */
export function groupDigits(n: number): string {
  return n.toLocaleString("en-US");
}

/** Bytes with a binary unit: 829060 → "809.6 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Aligned columns; `alignWith` adds rows that only take part in the width computation. */
function table(rows: readonly (readonly string[])[], alignWith: readonly (readonly string[])[] = [], indent = "  "): string[] {
  const widths: number[] = [];
  for (const r of [...rows, ...alignWith]) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

export function formatInspect(r: InspectReport): string {
  const opsets = Object.entries(r.opsets).map(([d, v]) => `${d} ${v}`).join(", ") || "none recorded";
  const rowsOf = (l: readonly ValueInfo[]) => l.map((v) => [v.name, v.dtype, formatShape(v.shape)]);
  const io = (l: readonly ValueInfo[]) => table(rowsOf(l), rowsOf([...r.inputs, ...r.outputs]));
  const p = r.parameters;
  const lines = [
    `model    ${r.model} (${r.format})`,
    `graph    ${r.graph || "(unnamed)"}, stage ${r.stage}`,
    `opset    ${opsets}`,
    `nodes    ${groupDigits(r.nodes)}, values ${groupDigits(r.values)}`,
    "",
    `inputs (${r.inputs.length})`,
    ...io(r.inputs),
    `outputs (${r.outputs.length})`,
    ...io(r.outputs),
    "",
    `ops (${r.ops.length} kinds)`,
    ...table(r.ops.map((o) => [o.op, String(o.count)])),
    "",
    `parameters ${groupDigits(p.params)} in ${groupDigits(p.tensors)} tensors, ${formatBytes(p.bytes)}`,
    ...table(p.byDtype.map((d) => [d.dtype, `${groupDigits(d.params)} params`, `${groupDigits(d.tensors)} tensors`, formatBytes(d.bytes)])),
  ];
  return lines.join("\n") + "\n";
}
