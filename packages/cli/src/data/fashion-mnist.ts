/**
 * Fashion-MNIST (Debian package `dataset-fashion-mnist`): the test set (10,000 28×28 grey
 * images, labels 0-9; `eval --data`, the accuracy of `quantize`) and the training set
 * (60,000; `quantize --calib fashion-mnist:N`). The folder can be moved with
 * QUANTPASS_FASHION_MNIST_DIR.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "@quantpass/ir";
import { readIdxFile } from "./idx.js";

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
export const FASHION_MNIST_DIR_ENV = "QUANTPASS_FASHION_MNIST_DIR";
export const TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
export const TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
export const TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
export const TRAIN_LABELS = "train-labels-idx1-ubyte.gz";

export type Split = "test" | "train";
const FILES: Record<Split, { images: string; labels: string; label: string }> = {
  test: { images: TEST_IMAGES, labels: TEST_LABELS, label: "test set" },
  train: { images: TRAIN_IMAGES, labels: TRAIN_LABELS, label: "training set" },
};
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

/** Whether a flag value names a data set (`fashion-mnist[:N]`) rather than, say, a folder. */
export function isDataSpec(spec: string): boolean {
  return /^(fashion-mnist|fmnist)(:|$)/i.test(spec.trim());
}

/** Parses `fashion-mnist` or `fashion-mnist:N` (the value of `eval --data`, `quantize --calib`). */
export function parseDataSpec(spec: string, flag = "--data"): DataSpec {
  const m = /^([a-z0-9-]+)(?::(.*))?$/i.exec(spec.trim());
  const name = m?.[1]?.toLowerCase();
  if (!m || (name !== "fashion-mnist" && name !== "fmnist"))
    throw new UserError(`${flag} '${spec}': unknown data set (supported: fashion-mnist[:N])`, flag);
  if (m[2] === undefined) return { name: "fashion-mnist" };
  if (!/^\d+$/.test(m[2]) || Number(m[2]) < 1)
    throw new UserError(`${flag} '${spec}': N must be a positive integer`, flag);
  return { name: "fashion-mnist", limit: Number(m[2]) };
}

export function fashionMnistDir(): string {
  return process.env[FASHION_MNIST_DIR_ENV] || FASHION_MNIST_DIR;
}

/** Loads the first `limit` test images (all when undefined), validating both files. */
export function loadFashionMnistTest(limit?: number, flag = "--data"): LabeledImages {
  return loadFashionMnist("test", limit, flag);
}

/**
 * Loads the first `limit` images of a split (all when undefined), validating both files.
 * `flag` is the option a too-large `limit` came from (named in the error).
 */
export function loadFashionMnist(split: Split, limit?: number, flag = "--data"): LabeledImages {
  const dir = fashionMnistDir();
  const f = FILES[split];
  const imagesFile = join(dir, f.images);
  const labelsFile = join(dir, f.labels);
  for (const file of [imagesFile, labelsFile])
    if (!existsSync(file))
      throw new UserError(
        `Fashion-MNIST ${f.label} not found: no such file '${file}'; install it with 'apt-get install dataset-fashion-mnist' (or run the README set-up, 'pnpm setup')`,
        file,
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
    throw new UserError(`${flag} fashion-mnist:${limit}: the ${f.label} has only ${available} images`, flag);
  const count = limit ?? available;
  const lab = labels.data.subarray(0, count) as Uint8Array;
  const badLabel = lab.findIndex((l) => l >= CLASSES);
  if (badLabel >= 0) throw new UserError(`${labelsFile}: label ${lab[badLabel]} at index ${badLabel} is not in 0-${CLASSES - 1}`, labelsFile);
  return { pixels: (images.data as Uint8Array).subarray(0, count * ROWS * COLS), labels: lab, count };
}
