import { describe, expect, it } from "vitest";
import { sqnrScore, top1Score } from "./score.js";

const f = (...v: number[]) => Float32Array.from(v);

describe("fallback scores", () => {
  it("sqnr: the lowest per-output SQNR, pooled over batches; identical outputs are +Infinity", () => {
    const ref = [[f(1, 1), f(10, 0)], [[f(1, 1)], [f(0, 10)]].flat()];
    const got = [[f(1, 1.1), f(10, 0)], [f(1, 0.9), f(0, 10)]];
    // output 0: signal 4, noise 0.02 → 23.0 dB; output 1 identical
    expect(sqnrScore(ref, got)).toBeCloseTo(10 * Math.log10(4 / 0.02), 4);
    expect(sqnrScore(ref, ref)).toBe(Infinity);
    expect(sqnrScore([[f(0, 0)]], [[f(0, 1)]])).toBe(-Infinity);
  });

  it("top1: argmax over the last axis of the first output, per position (ties: first index)", () => {
    // two batches of [2, 3] logits (4 positions); the second output is ignored
    const ref = [[f(1, 2, 3, 5, 0, 0), f(9)], [f(1, 1, 0, 0, 0, 7), f(9)]];
    const got = [[f(1, 2, 3, 0, 5, 0), f(0)], [f(0, 1, 0, 0, 0, 7), f(0)]];
    expect(top1Score(ref, got, 3)).toBe(0.5);
    expect(top1Score(ref, ref, 3)).toBe(1);
  });
});
