/** Reads an ONNX file (with external data beside it) and lowers it. */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { decodeOnnx, FormatError } from "@quantpass/formats";
import type { Graph } from "@quantpass/ir";
import { lowerOnnx } from "./lower.js";

/** Loads `path` into an IR graph. Unreadable or corrupt files are FormatError naming the file. */
export function loadOnnx(path: string): Graph {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FormatError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, path);
  }
  return lowerOnnx(decodeOnnx(bytes, { file: path, baseDir: dirname(path) }), { file: path });
}
