/**
 * The Fashion-MNIST test set (10,000 28×28 grey images, labels 0-9) from the Debian package
 * `dataset-fashion-mnist`. The folder can be moved with QUANTPASS_FASHION_MNIST_DIR.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "@quantpass/ir";
import { readIdxFile } from "./idx.js";

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
export const FASHION_MNIST_DIR_ENV = "QUANTPASS_FASHION_MNIST_DIR";
export const TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
export const TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
export const CLASSES = 10;
export const ROWS = 28;
export const COLS = 28;

export interface LabeledImages {
  /** count × 28 × 28 pixels, 0-255, row-major. */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export interface DataSpec {
  readonly name: "fashion-mnist";
  /** First N test images; undefined for all. */
  readonly limit?: number;
}

/** Parses `fashion-mnist` or `fashion-mnist:N` (the value of `eval --data`). */
export function parseDataSpec(spec: string): DataSpec {
  const m = /^([a-z0-9-]+)(?::(.*))?$/i.exec(spec.trim());
  const name = m?.[1]?.toLowerCase();
  if (!m || (name !== "fashion-mnist" && name !== "fmnist"))
    throw new UserError(`--data '${spec}': unknown data set (supported: fashion-mnist[:N])`, "--data");
  if (m[2] === undefined) return { name: "fashion-mnist" };
  if (!/^\d+$/.test(m[2]) || Number(m[2]) < 1)
    throw new UserError(`--data '${spec}': N must be a positive integer`, "--data");
  return { name: "fashion-mnist", limit: Number(m[2]) };
}

export function fashionMnistDir(): string {
  return process.env[FASHION_MNIST_DIR_ENV] || FASHION_MNIST_DIR;
}

/** Loads the first `limit` test images (all when undefined), validating both files. */
export function loadFashionMnistTest(limit?: number): LabeledImages {
  const dir = fashionMnistDir();
  const imagesFile = join(dir, TEST_IMAGES);
  const labelsFile = join(dir, TEST_LABELS);
  for (const f of [imagesFile, labelsFile])
    if (!existsSync(f))
      throw new UserError(
        `Fashion-MNIST test set not found: no such file '${f}'; install it with 'apt-get install dataset-fashion-mnist' (or run the README set-up, 'pnpm setup')`,
        f,
      );
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  if (images.dtype !== "u8" || images.dims.length !== 3 || images.dims[1] !== ROWS || images.dims[2] !== COLS)
    throw new UserError(`${imagesFile}: expected u8 images [N,${ROWS},${COLS}], got ${images.dtype} [${images.dims.join(",")}]`, imagesFile);
  if (labels.dtype !== "u8" || labels.dims.length !== 1)
    throw new UserError(`${labelsFile}: expected u8 labels [N], got ${labels.dtype} [${labels.dims.join(",")}]`, labelsFile);
  const available = images.dims[0]!;
  if (labels.dims[0] !== available)
    throw new UserError(`${labelsFile}: ${labels.dims[0]} labels for ${available} images in '${imagesFile}'`, labelsFile);
  if (limit !== undefined && limit > available)
    throw new UserError(`--data fashion-mnist:${limit}: the test set has only ${available} images`, "--data");
  const count = limit ?? available;
  const lab = labels.data.subarray(0, count) as Uint8Array;
  const badLabel = lab.findIndex((l) => l >= CLASSES);
  if (badLabel >= 0) throw new UserError(`${labelsFile}: label ${lab[badLabel]} at index ${badLabel} is not in 0-${CLASSES - 1}`, labelsFile);
  return { pixels: (images.data as Uint8Array).subarray(0, count * ROWS * COLS), labels: lab, count };
}
