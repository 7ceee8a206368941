/**
 * calibrate (observed → calibrated): runs the caller's Executor over the calibration
 * batches, fetching every observer's output, feeds each observer's statistics
 * (observers/*, by node name; per channel when per_channel=1) and writes the range
 * into the observer's min/max attributes (float32, rounded outwards).
 *
 *   %x.q = observe(%x) {method="minmax"}     →     %x.q = observe(%x) {max=[3.5], method="minmax", min=[-1.25]}
 *
 * Needs ctx.executor and ctx.data (a UserError otherwise, or when a batch lacks a graph
 * input). Reports progress per batch. Option `batches`: use at most this many (0: all).
 */
import { edit, UserError, type Graph, type Node, type Stage, type Tensor } from "@quantpass/ir";
import { z } from "zod";
import { createObserver, type Observer } from "../observers/index.js";
import { definePass } from "../pass.js";
import { forEachBatch, runContext } from "./batches.js";
import { f32Down, f32Up } from "../quant/params.js";

export const CalibrateOptions = z.object({
  /** Use at most this many calibration batches; default 0 (all). */
  batches: z.number().int().min(0).default(0),
});

interface Tap {
  readonly node: Node;
  readonly out: string;
  /** One accumulator per tensor, or one per channel. */
  readonly observers: Observer[];
  readonly axis: number | undefined;
}

/** Splits x by channel along axis and feeds each channel's observer (created on first use). */
function updatePerChannel(tap: Tap, t: Tensor): void {
  const axis = tap.axis!;
  if (axis >= t.shape.length) throw new UserError(`observer '${tap.node.name}': channel axis ${axis} is out of range for a value of shape [${t.shape.join(",")}]`, tap.node.name);
  const x = t.toF32();
  const c = t.shape[axis]!;
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = t.size / (c * inner) || 0;
  if (tap.observers.length === 0) for (let k = 0; k < c; k++) tap.observers.push(createObserver((tap.node.attrs.method as string | undefined) ?? "minmax", tap.node.name));
  if (tap.observers.length !== c) throw new UserError(`observer '${tap.node.name}': channel count changed from ${tap.observers.length} to ${c} between batches`, tap.node.name);
  const buf = new Float32Array(outer * inner);
  for (let k = 0; k < c; k++) {
    for (let o = 0; o < outer; o++) buf.set(x.subarray((o * c + k) * inner, (o * c + k + 1) * inner), o * inner);
    tap.observers[k]!.update(buf);
  }
}

export const calibrate = definePass({
  name: "calibrate",
  summary: "run calibration data through the graph and record each observer's range",
  options: CalibrateOptions,
  requires: ["observed"],
  ensures: "calibrated",
  async run(g: Graph, o, ctx) {
    runContext(ctx, "calibrate");
    const taps: Tap[] = g.nodes
      .filter((n) => n.op === "observe")
      .map((n) => {
        const perChannel = n.attrs.per_channel === 1;
        const method = (n.attrs.method as string | undefined) ?? "minmax";
        return { node: n, out: n.outputs[0]!, observers: perChannel ? [] : [createObserver(method, n.name)], axis: perChannel ? (n.attrs.axis as number) : undefined };
      });
    const loop = { fetch: taps.map((t) => t.out), limit: o.batches, label: "calibrate" };
    const done = !taps.length
      ? 0
      : await forEachBatch(g, ctx, "calibrate", loop, (out) => {
          for (const tap of taps) {
            const t = out[tap.out]!;
            if (tap.axis === undefined) tap.observers[0]!.update(t.toF32());
            else updatePerChannel(tap, t);
          }
        });
    ctx.count("observers", taps.length);
    ctx.count("batches", done);
    return edit(g, (e) => {
      for (const tap of taps) {
        const ranges = tap.observers.map((ob) => ob.range());
        e.setAttrs(tap.node.name, { ...tap.node.attrs, min: ranges.map((r) => f32Down(r.min)), max: ranges.map((r) => f32Up(r.max)) });
      }
      (e.draft as { stage: Stage }).stage = "calibrated";
    });
  },
});
