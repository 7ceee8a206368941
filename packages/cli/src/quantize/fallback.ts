/** The fallback search's report as `quantize` summarizes it (report/quantize-report.ts). */
import type { FallbackReport } from "@quantpass/passes";
import type { FallbackSummary } from "../report/quantize-report.js";

export function fallbackSummary(r: FallbackReport): FallbackSummary {
  return {
    metric: r.metric,
    target: r.target,
    to: r.to,
    measure: r.measure,
    scoreBefore: r.scoreBefore,
    scoreAfter: r.scoreAfter,
    layers: r.layers,
    sensitivity: r.sensitivity.map((s) =>
      s.measure === "local"
        ? { measure: s.measure, name: s.name, op: s.op, sqnrIn: s.sqnrIn, sqnrOut: s.sqnrOut, drop: s.drop, chosen: s.chosen }
        : { measure: s.measure, name: s.name, op: s.op, score: s.score, gain: s.gain, chosen: s.chosen },
    ),
    candidates: r.candidates,
    evaluations: r.evaluations,
    seconds: r.ms / 1000,
  };
}
