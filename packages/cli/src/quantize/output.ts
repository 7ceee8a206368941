/**
 * Output formats of `quantize` and writing them atomically (temp file + rename: a failure
 * leaves no partial file).
 *
 *   onnx-qdq     QuantizeLinear / DequantizeLinear around float ops (any int graph; a float
 *                graph is written as plain ONNX)
 *   onnx-qop     QOperator: QLinearConv / QLinearMatMul / ConvInteger / MatMulInteger where a
 *                site has int8 activations (needs e.g. --preset a8w8); the rest stays QDQ
 *   onnx-nbits   com.microsoft MatMulNBits for weight-only int4/int8 MatMul/Gemm weights
 *                (needs e.g. --preset a16w4); the rest stays QDQ
 *   safetensors  a quantized checkpoint (int weights, scales, zero points, the PTQ config),
 *                loadable into the deploy-mode graph; needs a PTQ config (--preset/--config)
 *   qir          quantpass text IR of the resulting graph
 *
 * Default from the extension: .onnx → onnx-qdq, .safetensors → safetensors, .qir → qir.
 * A format that does not apply to the result is a UserError naming --format.
 */
import { statSync } from "node:fs";
import { extname } from "node:path";
import { atomicWrite } from "@quantpass/formats";
import { printGraph, UserError, type Graph } from "@quantpass/ir";
import type { PtqConfig } from "@quantpass/passes";
import { writing } from "../files.js";
import { OUTPUT_FORMATS, type OutputFormat } from "./defaults.js";

export { OUTPUT_FORMATS, type OutputFormat };

const EXTENSION: Record<OutputFormat, string> = { "onnx-qdq": ".onnx", "onnx-qop": ".onnx", "onnx-nbits": ".onnx", safetensors: ".safetensors", qir: ".qir" };

export function isOnnxFormat(f: OutputFormat): f is "onnx-qdq" | "onnx-qop" | "onnx-nbits" {
  return f.startsWith("onnx-");
}

/** The format to write: --format when given (checked against the extension), else by extension. */
export function outputFormat(out: string, format?: string): OutputFormat {
  const ext = extname(out).toLowerCase();
  if (format !== undefined) {
    const f = format.trim().toLowerCase() as OutputFormat;
    if (!OUTPUT_FORMATS.includes(f)) throw new UserError(`--format '${format}': unknown format (formats: ${OUTPUT_FORMATS.join(", ")})`, "--format");
    if (ext !== EXTENSION[f]) throw new UserError(`--format ${f} writes a ${EXTENSION[f]} file, but --out '${out}' ends in '${ext || "(no extension)"}'`, "--out");
    return f;
  }
  if (ext === ".onnx") return "onnx-qdq";
  if (ext === ".safetensors") return "safetensors";
  if (ext === ".qir") return "qir";
  throw new UserError(`--out '${out}': cannot tell the format from the extension: use .onnx (onnx-qdq; --format onnx-qop | onnx-nbits), .safetensors or .qir`, "--out");
}

/** The ONNX quantized-export format name of an output format. */
function quantFormat(f: "onnx-qdq" | "onnx-qop" | "onnx-nbits"): "qdq" | "qop" | "nbits" {
  return f.slice(5) as "qdq" | "qop" | "nbits";
}

export interface Encoded {
  readonly format: OutputFormat;
  /** Bytes to write (ONNX, qir); undefined for safetensors (written by the checkpoint writer). */
  readonly bytes?: Uint8Array;
  /** The ONNX-ops graph the file holds (ONNX formats): what onnxruntime runs for evaluation. */
  readonly onnxGraph?: Graph;
  readonly opset?: number;
  /** What the export emitted, e.g. { QLinearConv: 2, DequantizeLinear: 5 }. */
  readonly counts: Readonly<Record<string, number>>;
}

function checkStage(g: Graph, f: OutputFormat): void {
  if (f === "qir") return;
  if (f === "safetensors" ? g.stage !== "int" : g.stage !== "int" && g.stage !== "float")
    throw new UserError(
      `--format ${f}: the pipeline leaves the graph at stage '${g.stage}'; ${f} writes ${f === "safetensors" ? "an int" : "an int (or float)"} graph: end the pipeline with fold-to-int`,
      "--format",
    );
}

/** Encodes the graph in memory (ONNX, qir) and checks the format applies to it. */
export async function encodeOutput(g: Graph, f: OutputFormat, opset?: number): Promise<Encoded> {
  checkStage(g, f);
  if (f === "qir") return { format: f, bytes: new TextEncoder().encode(printGraph(g)), counts: {} };
  if (f === "safetensors") {
    if (opset !== undefined) throw new UserError(`--opset applies to ONNX output only, not ${f}`, "--opset");
    return { format: f, counts: {} };
  }
  const backends = await import("@quantpass/backends");
  const lowered = backends.lowerQuantized(g, { format: quantFormat(f), ...(opset === undefined ? {} : { opset }) });
  const counts = lowered.counts;
  if (f === "onnx-nbits" && !counts.MatMulNBits)
    throw new UserError(
      `--format onnx-nbits: the result has no weight-only int4/int8 MatMul/Gemm weight that MatMulNBits can hold (quantize with --preset a16w4 or a16w8, groups along K); use --format onnx-qdq`,
      "--format",
    );
  if (f === "onnx-qop" && !(counts.QLinearConv || counts.QLinearMatMul || counts.ConvInteger || counts.MatMulInteger))
    throw new UserError(
      `--format onnx-qop: the result has no layer with int8 activations to write as a QOperator (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger); quantize activations (--preset a8w8) or use --format onnx-qdq`,
      "--format",
    );
  const bytes = backends.exportOnnxBytes(lowered.graph, { opset: lowered.opset });
  return { format: f, bytes, onnxGraph: lowered.graph, opset: lowered.opset, counts };
}

/** Writes the output atomically; returns its size in bytes. */
export async function writeOutput(g: Graph, enc: Encoded, out: string, config: PtqConfig | undefined): Promise<number> {
  if (enc.format === "safetensors") {
    if (!config)
      throw new UserError(`--format safetensors: a quantized checkpoint records the PTQ config it was made with, and a --passes pipeline has none; use --preset/--config, or write .onnx or .qir`, "--format");
    const { saveQuantizedCheckpoint } = await import("@quantpass/backends");
    await writing(out, () => saveQuantizedCheckpoint(g, out, config));
    return statSync(out).size;
  }
  await writing(out, () => atomicWrite(out, enc.bytes!));
  return enc.bytes!.length;
}
