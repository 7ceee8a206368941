/**
 * The idx format of MNIST-style datasets (http://yann.lecun.com/exdb/mnist/):
 * bytes 0-1 zero, byte 2 the element type, byte 3 the number of dims, then each dim as a
 * big-endian u32, then the elements big-endian, row-major. Files may be gzipped.
 * Every problem is a UserError naming the file.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { UserError } from "@quantpass/ir";
import { fsReason } from "../files.js";

export type IdxDType = "u8" | "i8" | "i16" | "i32" | "f32" | "f64";

export interface IdxArray {
  readonly dtype: IdxDType;
  readonly dims: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { dtype: IdxDType; size: number }> = {
  0x08: { dtype: "u8", size: 1 },
  0x09: { dtype: "i8", size: 1 },
  0x0b: { dtype: "i16", size: 2 },
  0x0c: { dtype: "i32", size: 4 },
  0x0d: { dtype: "f32", size: 4 },
  0x0e: { dtype: "f64", size: 8 },
};

function bad(file: string, what: string): never {
  throw new UserError(`${file}: not a valid idx file: ${what}`, file);
}

/** Decodes idx bytes (already gunzipped). */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) bad(file, `${bytes.length} bytes is too short for the 4-byte header`);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    bad(file, `magic must start with two zero bytes, got 0x${hex(bytes[0]!)}${hex(bytes[1]!)}`);
  const type = TYPES[bytes[2]!];
  if (!type) bad(file, `unknown element type 0x${hex(bytes[2]!)}`);
  const rank = bytes[3]!;
  if (rank === 0) bad(file, "rank 0 (no dims)");
  const header = 4 + 4 * rank;
  if (bytes.length < header) bad(file, `${bytes.length} bytes is too short for a rank-${rank} header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let k = 0; k < rank; k++) {
    const d = view.getUint32(4 + 4 * k, false);
    dims.push(d);
    count *= d;
  }
  const need = header + count * type.size;
  if (bytes.length !== need)
    bad(file, `dims [${dims.join(",")}] of ${type.dtype} need ${need} bytes, the file has ${bytes.length}` +
      (bytes.length < need ? " (truncated?)" : ""));
  const body = bytes.subarray(header);
  let data: IdxArray["data"];
  switch (type.dtype) {
    case "u8": data = Uint8Array.from(body); break;
    case "i8": data = new Int8Array(Uint8Array.from(body).buffer); break;
    case "i16": data = Int16Array.from({ length: count }, (_, i) => view.getInt16(header + 2 * i, false)); break;
    case "i32": data = Int32Array.from({ length: count }, (_, i) => view.getInt32(header + 4 * i, false)); break;
    case "f32": data = Float32Array.from({ length: count }, (_, i) => view.getFloat32(header + 4 * i, false)); break;
    case "f64": data = Float64Array.from({ length: count }, (_, i) => view.getFloat64(header + 8 * i, false)); break;
  }
  return { dtype: type.dtype, dims, data };
}

/** Reads an idx file, gunzipping it when it starts with the gzip magic (1f 8b). */
export function readIdxFile(file: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UserError(`cannot read '${file}': ${fsReason(e)}`, file);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new UserError(`${file}: corrupt gzip data: ${(e as Error).message}`, file);
    }
  } else if (file.endsWith(".gz")) {
    throw new UserError(`${file}: not a gzip file (no 1f 8b magic)`, file);
  }
  return parseIdx(bytes, file);
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}
