/**
 * Loading and saving models by file extension: `.onnx` (ONNX protobuf, through the
 * frontends / the ONNX exporter) and `.qir` (quantpass's text IR).
 * Frontends and backends are imported when first needed, so `--help` and .qir-only work
 * load neither (nor onnxruntime behind the backends).
 */
import { readFileSync } from "node:fs";
import { basename, dirname, extname } from "node:path";
import { parseGraph, printGraph, UserError, type Graph } from "@quantpass/ir";
import { atomicWrite } from "@quantpass/formats";
import { checkReadableFile, checkWritableTarget, fsReason, writing } from "./files.js";

export type ModelFormat = "onnx" | "qir";

/** The format a path names by its extension (case-insensitive); UserError otherwise. */
export function modelFormatOf(path: string): ModelFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".onnx") return "onnx";
  if (ext === ".qir") return "qir";
  throw new UserError(`cannot tell the format of '${path}': expected a .onnx or .qir file`, path);
}

/** Reads a model; every failure is a UserError or FormatError naming the file. */
export async function loadModel(path: string): Promise<Graph> {
  const format = modelFormatOf(path);
  checkReadableFile(path);
  if (format === "onnx") {
    const { loadOnnx } = await import("@quantpass/frontends");
    return await loadOnnx(path);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(`cannot read '${path}': ${fsReason(e)}`, path);
  }
  return parseGraph(text, path);
}

export interface SaveOptions {
  /** ONNX opset to export for (.onnx output only); default: the source opset if exportable, else the exporter's default. */
  readonly opset?: number;
}

/** Writes a model atomically (temp file + rename): a failure leaves no partial file. */
export async function saveModel(graph: Graph, path: string, opts: SaveOptions = {}): Promise<void> {
  const format = modelFormatOf(path);
  if (format !== "onnx" && opts.opset !== undefined)
    throw new UserError(`--opset applies to .onnx output only, not '${path}'`, "--opset");
  checkWritableTarget(path);
  if (format === "onnx") {
    const { saveOnnx, MIN_EXPORT_OPSET, MAX_EXPORT_OPSET } = await import("@quantpass/backends");
    const opset = opts.opset ?? sourceOpset(graph, MIN_EXPORT_OPSET, MAX_EXPORT_OPSET);
    await writing(path, () => saveOnnx(graph, path, opset === undefined ? {} : { opset }));
    return;
  }
  const text = printGraph(graph);
  await writing(path, () => atomicWrite(path, new TextEncoder().encode(text)));
}

/**
 * The ai.onnx opset the graph came from (its `opset.ai.onnx` meta), when the exporter can
 * write it; undefined otherwise (the exporter's default applies).
 */
export function sourceOpset(graph: Graph, min: number, max: number): number | undefined {
  const v = Number(graph.meta["opset.ai.onnx"]);
  return Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}

/**
 * A short display name for a model file: its base name without extension, or the name of
 * its folder when the file is called `model` (testdata/models/fmnist-cnn/model.onnx → fmnist-cnn).
 */
export function modelDisplayName(path: string): string {
  const stem = basename(path, extname(path));
  if (stem.toLowerCase() === "model") {
    const parent = basename(dirname(path));
    if (parent && parent !== "." && parent !== "/") return parent;
  }
  return stem;
}
