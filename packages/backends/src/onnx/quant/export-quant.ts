/**
 * Int-stage graph → ONNX in one of three formats. Each lowers the int graph into an IR graph
 * of ONNX ops only (`lowerQuantized`, which the cpu interpreter can also run), then writes it
 * with the float exporter:
 *
 *   qdq    QuantizeLinear / DequantizeLinear around float ops; fused matmuls unfused
 *          (the file computes the interpreter's insert-dequant{unfuse=true} graph);
 *          dynamic_quant as an exact Abs/ReduceMax/Div/Round/Clip/Cast decomposition.
 *   qop    QDQ plus QLinearConv / QLinearMatMul / ConvInteger / MatMulInteger where
 *          qop-plan.ts recognises a site (see there for the rules).
 *   nbits  QDQ plus com.microsoft MatMulNBits for weight-only weight_quant_matmul (nbits.ts).
 *
 * Default opset: 21 when the ONNX graph holds int4 values or blocked (per-group) parameters,
 * else 13. An explicit older opset that cannot hold them fails naming the value or node.
 */
import type { onnx } from "@quantpass/formats";
import { encodeOnnx } from "@quantpass/formats";
import { UserError, type Graph } from "@quantpass/ir";
import { exportOnnx, saveOnnx } from "../export.js";
import { Lowering } from "./lowering.js";
import { emitNBits, nbitsLayout } from "./nbits.js";
import { emitDequantize, emitDynamicQuant, emitQuantize, emitUnfusedMatmul } from "./qdq.js";
import { emitQop } from "./qop.js";
import { planQop } from "./qop-plan.js";

export type QuantFormat = "qdq" | "qop" | "nbits";
export const QUANT_FORMATS: readonly QuantFormat[] = ["qdq", "qop", "nbits"];

export interface QuantExportOptions {
  readonly format: QuantFormat;
  /** Target ai.onnx opset (default 13, or 21 when int4 or per-group parameters remain). */
  readonly opset?: number;
}

export interface LoweredQuant {
  /** The graph in ONNX ops (contrib MatMulNBits included). */
  readonly graph: Graph;
  readonly opset: number;
  /** Quantization ops in the output graph ("QLinearConv", "MatMulNBits", ...) and rewrites ("unfused quant_matmul", ...). */
  readonly counts: Readonly<Record<string, number>>;
}

export function lowerQuantized(graph: Graph, opts: QuantExportOptions): LoweredQuant {
  if (!QUANT_FORMATS.includes(opts.format))
    throw new UserError(`onnx quantized export: unknown format '${String(opts.format)}' (expected ${QUANT_FORMATS.join(", ")})`, "format");
  if (graph.stage !== "int" && graph.stage !== "float")
    throw new UserError(`onnx quantized export: graph '${graph.name}' is at stage '${graph.stage}'; run fold-to-int first`, graph.name);
  const lw = new Lowering(graph);
  const plan = opts.format === "qop" ? planQop(graph) : undefined;
  const memo = new Map<string, string>();
  const packed = new Map<string, string[]>();
  for (const n of graph.nodes) {
    if (plan?.absorbed.has(n.name)) continue;
    const site = plan?.sites.get(n.name);
    if (site) {
      emitQop(lw, site, memo);
      continue;
    }
    switch (n.op) {
      case "quantize": case "kv_quant": emitQuantize(lw, n); break;
      case "dequantize": case "kv_dequant": emitDequantize(lw, n); break;
      case "dynamic_quant": emitDynamicQuant(lw, n); break;
      case "quant_matmul": emitUnfusedMatmul(lw, n, memo); break;
      case "weight_quant_matmul": {
        const layout = opts.format === "nbits" ? nbitsLayout(lw, n) : "format is not nbits";
        if (typeof layout === "string") emitUnfusedMatmul(lw, n, memo);
        else emitNBits(lw, n, layout, packed);
        break;
      }
      default: lw.copy(n);
    }
  }
  const g = lw.finish();
  const counts = new Map(lw.counts);
  for (const n of g.nodes) if (COUNTED.has(n.op)) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return { graph: g, opset: opts.opset ?? neededOpset(g), counts: Object.fromEntries([...counts].sort()) };
}

/** Ops counted in LoweredQuant.counts (besides the rewrites the lowering records). */
const COUNTED = new Set(["QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "MatMulNBits"]);

function neededOpset(g: Graph): number {
  const int4 = Object.values(g.values).some((t) => t.dtype === "i4" || t.dtype === "u4");
  const blocked = g.nodes.some((n) => (n.op === "QuantizeLinear" || n.op === "DequantizeLinear") && typeof n.attrs.block_size === "number" && n.attrs.block_size > 0);
  return int4 || blocked ? 21 : 13;
}

/** The ModelProto of an int graph in the chosen format. */
export function exportQuantizedOnnx(graph: Graph, opts: QuantExportOptions): onnx.IModelProto {
  const l = lowerQuantized(graph, opts);
  return exportOnnx(l.graph, { opset: l.opset });
}

export function exportQuantizedOnnxBytes(graph: Graph, opts: QuantExportOptions): Uint8Array {
  return encodeOnnx(exportQuantizedOnnx(graph, opts));
}

/** Writes the model atomically (temp file + rename); large weights may go to an external data file. */
export async function saveQuantizedOnnx(graph: Graph, path: string, opts: QuantExportOptions & { externalDataFile?: string }): Promise<void> {
  const l = lowerQuantized(graph, opts);
  await saveOnnx(l.graph, path, { opset: l.opset, ...(opts.externalDataFile ? { externalDataFile: opts.externalDataFile } : {}) });
}
