/**
 * What the passes that run the graph on calibration data share (calibrate, bias-correct): the
 * executor and data from the pass context, and the batch loop — at most `limit` batches
 * (0: all), each checked to feed every graph input, run with `fetch`, its fetched values handed
 * to `each`, progress reported under `label`.
 */
import { UserError, type Executor, type Graph, type Tensor } from "@quantpass/ir";
import type { CalibrationData, PassContext } from "../pass.js";

/** ctx's executor and calibration data; a UserError naming the pass when either is missing. */
export function runContext(ctx: PassContext, pass: string): { executor: Executor; data: CalibrationData } {
  if (!ctx.executor) throw new UserError(`${pass} needs an executor to run the graph (none was given)`);
  if (!ctx.data) throw new UserError(`${pass} needs calibration data (none was given)`);
  return { executor: ctx.executor, data: ctx.data };
}

export interface BatchLoop {
  readonly fetch: readonly string[];
  /** At most this many batches (0: all). */
  readonly limit: number;
  readonly label: string;
}

/** Runs g over the calibration batches; returns how many ran (an error when there are none). */
export async function forEachBatch(g: Graph, ctx: PassContext, pass: string, o: BatchLoop, each: (fetched: Readonly<Record<string, Tensor>>) => void): Promise<number> {
  const { executor, data } = runContext(ctx, pass);
  const total = o.limit ? Math.min(o.limit, data.size) : data.size;
  let done = 0;
  for await (const feeds of data.batches()) {
    if (o.limit && done >= o.limit) break;
    for (const i of g.inputs)
      if (!feeds[i]) throw new UserError(`calibration batch ${done + 1} has no value for graph input '%${i}' (it has: ${Object.keys(feeds).join(", ") || "nothing"})`, i);
    const out = await executor.run(g, feeds, { fetch: [...o.fetch] });
    for (const v of o.fetch) if (!out[v]) throw new Error(`executor '${executor.name}' returned no value for '%${v}'`);
    each(out);
    done++;
    ctx.progress?.(done, total, o.label);
  }
  if (done === 0) throw new UserError("calibration data has no batches");
  return done;
}
