/**
 * NumPy .npy files (versions 1.0, 2.0, 3.0), little-endian C-order arrays of the numeric
 * dtypes; big-endian data, Fortran order and structured/string dtypes are FormatErrors.
 * Writing emits version 1.0 exactly as np.save does.
 */
import { readFile } from "node:fs/promises";
import { atomicWrite } from "./atomic.js";
import type { ElemType, RawTensor } from "./dtype.js";
import { fail } from "./errors.js";
import { formatNpyHeader, parseNpyHeader } from "./npy-header.js";
import { byteLengthOf, checkRaw, elemCount, rawBytes, typedFromBytes } from "./raw.js";

type NpyType = Exclude<ElemType, "string" | "bf16" | "i4" | "u4">;

const BY_CODE: Record<string, NpyType> = {
  f2: "f16", f4: "f32", f8: "f64", i1: "i8", i2: "i16", i4: "i32", i8: "i64",
  u1: "u8", u2: "u16", u4: "u32", u8: "u64", b1: "bool",
};
const TO_DESCR = Object.fromEntries(Object.entries(BY_CODE).map(([code, t]) => [t, `${code.endsWith("1") ? "|" : "<"}${code}`])) as Record<NpyType, string>;

function dtypeOf(descr: string, file?: string): NpyType {
  const m = /^([<>=|]?)([a-z]\d+)$/.exec(descr);
  const t = m ? BY_CODE[m[2]] : undefined;
  if (!m || !t) return fail(`unsupported npy dtype '${descr}'`, file);
  if (m[1] === ">" && !m[2].endsWith("1")) fail(`big-endian npy data ('${descr}') is not supported`, file);
  return t;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Decodes .npy bytes into a RawTensor (data copied into an aligned array). */
export function decodeNpy(bytes: Uint8Array, file?: string): RawTensor {
  if (!(bytes instanceof Uint8Array)) fail("npy input is not a byte array", file);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail("not an npy file (bad magic)", file);
  const [major, minor] = [bytes[6], bytes[7]];
  if (![1, 2, 3].includes(major) || minor !== 0) fail(`unsupported npy version ${major}.${minor}`, file);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) fail("truncated npy header", file);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (prefix + hlen > bytes.length) fail(`npy header length ${hlen} exceeds file size ${bytes.length}`, file);
  const raw = bytes.subarray(prefix, prefix + hlen);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? "utf-8" : "latin1", { fatal: true }).decode(raw);
  } catch {
    fail("npy header is not valid text", file);
  }
  const h = parseNpyHeader(text, file);
  if (h.fortranOrder) fail("Fortran-order npy arrays are not supported", file);
  const dtype = dtypeOf(h.descr, file);
  const n = elemCount(h.shape, file, "npy shape");
  const want = byteLengthOf(dtype, n);
  const data = bytes.subarray(prefix + hlen);
  if (data.length !== want) fail(`npy data has ${data.length} bytes, ${h.descr} (${h.shape.join(", ")}) needs ${want}`, file);
  return { dtype, dims: h.shape, data: typedFromBytes(dtype, data) };
}

/** Encodes a RawTensor as .npy bytes (f32, f16, f64, 8–64-bit ints, bool). */
export function encodeNpy(raw: RawTensor): Uint8Array {
  checkRaw(raw, "npy tensor");
  const descr = (TO_DESCR as Record<string, string | undefined>)[raw.dtype];
  if (!descr) fail(`dtype ${raw.dtype} has no npy equivalent`);
  const header = formatNpyHeader({ descr, fortranOrder: false, shape: raw.dims });
  const data = rawBytes(raw);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** Reads a .npy file. */
export async function readNpy(path: string): Promise<RawTensor> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    fail(`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, path);
  }
  return decodeNpy(bytes, path);
}

/** Writes a .npy file atomically. */
export async function writeNpy(path: string, raw: RawTensor): Promise<void> {
  await atomicWrite(path, encodeNpy(raw));
}
