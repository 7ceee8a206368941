/** Deterministic calibration data and feeds for tests. */
import { Tensor, type Graph } from "@quantpass/ir";
import type { CalibrationData } from "../pass.js";
import { uniform } from "./random.js";

/** Static shape of graph input `name`, with symbolic dims set to `dim`. */
export function inputShape(g: Graph, name: string, dim = 2): number[] {
  return g.values[name]!.shape.map((d) => (typeof d === "number" ? d : dim));
}

/** Uniform [lo, hi) feeds for every graph input. */
export function randomFeeds(g: Graph, seed: number, lo = -1, hi = 1, dim = 2): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  g.inputs.forEach((name, k) => {
    const shape = inputShape(g, name, dim);
    out[name] = new Tensor("f32", shape, uniform(shape.reduce((a, b) => a * b, 1), lo, hi, seed * 7919 + k));
  });
  return out;
}

/** A list of feeds as CalibrationData (a sync iterable). */
export function listData(batches: readonly Record<string, Tensor>[]): CalibrationData {
  return { size: batches.length, batches: () => batches };
}

/** `n` batches of uniform random feeds. */
export function randomData(g: Graph, n = 4, seed = 1, lo = -1, hi = 1): CalibrationData {
  return listData(Array.from({ length: n }, (_, k) => randomFeeds(g, seed + k, lo, hi)));
}
