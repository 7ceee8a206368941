/**
 * Fashion-MNIST for the end-to-end tests (Debian package dataset-fashion-mnist): idx files
 * (gzipped; header: two zero bytes, type 0x08 = u8, rank, big-endian u32 dims), pixels
 * scaled to [0, 1] as the fmnist-cnn model was trained (and as `quantpass eval` feeds it).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Tensor } from "@quantpass/ir";

export const FMNIST_DIR = process.env.QUANTPASS_FASHION_MNIST_DIR || "/usr/share/datasets/fashion-mnist";

function readIdxU8(file: string): { dims: number[]; data: Uint8Array } {
  const b = gunzipSync(readFileSync(file));
  if (b[0] !== 0 || b[1] !== 0 || b[2] !== 0x08) throw new Error(`${file}: not a u8 idx file`);
  const rank = b[3]!;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dims = Array.from({ length: rank }, (_, k) => view.getUint32(4 + 4 * k));
  return { dims, data: b.subarray(4 + 4 * rank) };
}

export interface FmnistSplit {
  readonly count: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

export function loadFmnist(split: "train" | "t10k", limit?: number): FmnistSplit {
  const images = readIdxU8(join(FMNIST_DIR, `${split}-images-idx3-ubyte.gz`));
  const labels = readIdxU8(join(FMNIST_DIR, `${split}-labels-idx1-ubyte.gz`));
  const count = Math.min(limit ?? images.dims[0]!, images.dims[0]!);
  return { count, pixels: images.data.subarray(0, count * 784), labels: labels.data.subarray(0, count) };
}

/** Images [start, end) as a [n,1,28,28] f32 tensor of pixels / 255. */
export function imageBatch(s: FmnistSplit, start: number, end: number): Tensor {
  const n = end - start;
  const out = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) out[i] = s.pixels[start * 784 + i]! / 255;
  return new Tensor("f32", [n, 1, 28, 28], out);
}
