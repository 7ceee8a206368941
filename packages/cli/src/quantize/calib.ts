/**
 * Calibration data for `quantize --calib`:
 *
 * - `--calib <dir>`: one `<input name>.npy` per graph input (a name with characters other than
 *   `A-Z a-z 0-9 . _ -` may also be given under its sanitized name, as `run` writes outputs).
 *   The first axis is the sample axis. When the file has the input's rank, batches of
 *   `batch` samples are sliced along it (a fixed batch dim in the model sets the batch size,
 *   and the sample count must then be a multiple of it); when it has one more axis than the
 *   input, each sample is one whole input. Every input must have the same sample count.
 * - `--calib fashion-mnist[:N]`: the first N (default 1,000) TRAINING images as f32
 *   [batch,1,28,28] pixels / 255, for a model with one such input.
 *
 * Errors are UserErrors naming the file (or the flag).
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { dimsCompatible, formatShape, Tensor, UserError, type DType, type Graph } from "@quantpass/ir";
import type { CalibrationData } from "@quantpass/passes";
import { readNpy, type RawTensor } from "@quantpass/formats";
import { COLS, loadFashionMnist, parseDataSpec, ROWS, type LabeledImages } from "../data/fashion-mnist.js";
import { imageBatch } from "../eval/classify.js";
import { checkReadableFile } from "../files.js";
import { sanitizeStem } from "../run/output-names.js";
import { DEFAULT_CALIB_BATCH, DEFAULT_FMNIST_CALIB } from "./defaults.js";

export { DEFAULT_CALIB_BATCH, DEFAULT_FMNIST_CALIB };

/** Calibration batches plus what the report says about them. */
export interface Calibration extends CalibrationData {
  /** `fashion-mnist:N (training set)` or the folder. */
  readonly label: string;
  readonly samples: number;
  /** Present for fashion-mnist (labels exist, so accuracy can be measured on the test set). */
  readonly labeled: boolean;
  /** Synchronous: batches are slices of arrays already in memory. */
  batches(): Iterable<Readonly<Record<string, Tensor>>>;
}

/** A slice [start, end) along axis 0 of an npy array, as a Tensor (a view, no copy). */
function rows(raw: RawTensor, start: number, end: number, keepAxis: boolean): Tensor {
  const per = raw.dims.slice(1).reduce((a, b) => a * b, 1);
  const data = (raw.data as Float32Array).subarray(start * per, end * per);
  const dims = keepAxis ? [end - start, ...raw.dims.slice(1)] : raw.dims.slice(1);
  return new Tensor(raw.dtype as DType, dims, data as never);
}

interface InputFile {
  readonly input: string;
  readonly file: string;
  readonly raw: RawTensor;
  /** true: file rank = input rank (batches sliced along axis 0); false: one sample per run. */
  readonly batched: boolean;
}

function findFile(dir: string, input: string): string {
  const plain = join(dir, `${input}.npy`);
  if (existsSync(plain)) return plain;
  const safe = join(dir, `${sanitizeStem(input)}.npy`);
  if (existsSync(safe)) return safe;
  throw new UserError(`--calib ${dir}: no file '${plain}' for graph input '${input}' (one <input name>.npy per input)`, plain);
}

async function readInput(graph: Graph, dir: string, input: string): Promise<InputFile> {
  const file = findFile(dir, input);
  checkReadableFile(file);
  const raw = await readNpy(file);
  const want = graph.values[input]!;
  if (raw.dtype !== want.dtype) throw new UserError(`--calib: '${file}' holds ${raw.dtype} values; graph input '${input}' is ${want.dtype}`, file);
  const rank = want.shape.length;
  const batched = raw.dims.length === rank;
  if (!batched && raw.dims.length !== rank + 1)
    throw new UserError(
      `--calib: '${file}' has shape [${raw.dims.join(",")}]; graph input '${input}' is ${formatShape(want.shape)}: expected rank ${rank} (samples along the first axis) or ${rank + 1} (a stack of whole inputs)`,
      file,
    );
  const sample = raw.dims.slice(1);
  const expect = batched ? want.shape.slice(1) : want.shape;
  expect.forEach((d, k) => {
    if (!dimsCompatible(d, sample[k]!))
      throw new UserError(`--calib: '${file}' has shape [${raw.dims.join(",")}], which does not fit graph input '${input}' ${formatShape(want.shape)} (axis ${k + 1} is ${sample[k]}, the input wants ${d})`, file);
  });
  if (raw.dims[0] === 0) throw new UserError(`--calib: '${file}' has no samples (its first axis is 0)`, file);
  return { input, file, raw, batched };
}

/** Calibration batches from a folder of `<input>.npy` files. */
export async function npyCalibration(graph: Graph, dir: string, batch = DEFAULT_CALIB_BATCH): Promise<Calibration> {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UserError(`--calib ${dir}: no such folder (give a folder of <input name>.npy files, or fashion-mnist:N)`, "--calib");
  }
  if (!st.isDirectory()) throw new UserError(`--calib ${dir}: not a folder (give a folder of <input name>.npy files, or fashion-mnist:N)`, "--calib");
  if (graph.inputs.length === 0) throw new UserError(`--calib ${dir}: the model has no inputs to calibrate with`, "--calib");
  const files: InputFile[] = [];
  for (const input of graph.inputs) files.push(await readInput(graph, dir, input));
  const count = files[0]!.raw.dims[0]!;
  for (const f of files.slice(1))
    if (f.raw.dims[0] !== count)
      throw new UserError(`--calib: '${f.file}' has ${f.raw.dims[0]} samples but '${files[0]!.file}' has ${count}; every input needs the same number`, f.file);
  // A fixed batch dim (input rank = file rank) sets the batch size.
  let size = batch;
  for (const f of files) {
    const d = graph.values[f.input]!.shape[0];
    if (!f.batched || typeof d !== "number") continue;
    if (count % d !== 0)
      throw new UserError(`--calib: '${f.file}' has ${count} samples; graph input '${f.input}' has a fixed batch of ${d}, so the count must be a multiple of ${d}`, f.file);
    size = d;
  }
  const step = files.every((f) => !f.batched) ? 1 : size;
  const n = Math.ceil(count / step);
  return {
    label: dir,
    samples: count,
    labeled: false,
    size: n,
    *batches() {
      for (let s = 0; s < count; s += step) {
        const e = Math.min(count, s + step);
        const feeds: Record<string, Tensor> = {};
        for (const f of files) feeds[f.input] = f.batched ? rows(f.raw, s, e, true) : rows(f.raw, s, s + 1, false);
        yield feeds;
      }
    },
  };
}

/** Checks the model takes Fashion-MNIST images: one f32 input [batch,1,28,28]. */
export function checkImageInput(graph: Graph, flag: string): { input: string; fixed?: number } {
  const want = `f32 [batch,1,${ROWS},${COLS}]`;
  if (graph.inputs.length !== 1)
    throw new UserError(`${flag} fashion-mnist: the model has ${graph.inputs.length} inputs (${graph.inputs.join(", ")}); Fashion-MNIST feeds one ${want} input`, flag);
  const input = graph.inputs[0]!;
  const t = graph.values[input]!;
  if (t.dtype !== "f32" || t.shape.length !== 4 || !dimsCompatible(t.shape[1]!, 1) || !dimsCompatible(t.shape[2]!, ROWS) || !dimsCompatible(t.shape[3]!, COLS))
    throw new UserError(`${flag} fashion-mnist: input '${input}' is ${t.dtype} ${formatShape(t.shape)}; Fashion-MNIST images are ${want}`, flag);
  const b = t.shape[0];
  return typeof b === "number" ? { input, fixed: b } : { input };
}

/** Calibration batches from the first N Fashion-MNIST training images. */
export function fashionMnistCalibration(graph: Graph, spec: string, batch = DEFAULT_CALIB_BATCH): Calibration {
  const { limit } = parseDataSpec(spec, "--calib");
  const { input, fixed } = checkImageInput(graph, "--calib");
  const data: LabeledImages = loadFashionMnist("train", limit ?? DEFAULT_FMNIST_CALIB, "--calib");
  const size = fixed ?? batch;
  return {
    label: `fashion-mnist:${data.count} (training set)`,
    samples: data.count,
    labeled: true,
    size: Math.ceil(data.count / size),
    *batches() {
      // A fixed batch dim pads the last batch with zero images (as eval does).
      for (let s = 0; s < data.count; s += size) yield { [input]: imageBatch(data, s, fixed ?? Math.min(size, data.count - s)) };
    },
  };
}
