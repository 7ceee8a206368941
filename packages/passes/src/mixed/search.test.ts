import { describe, expect, it } from "vitest";
import { greedyFallback } from "./search.js";

/** A model whose score is 10 minus the penalties of the layers still quantized. */
function additive(penalty: Record<string, number>) {
  const calls: string[][] = [];
  return {
    calls,
    score: async (skip: readonly string[]) => {
      calls.push([...skip]);
      return 10 - Object.entries(penalty).reduce((a, [k, v]) => a + (skip.includes(k) ? 0 : v), 0);
    },
  };
}

describe("greedyFallback", () => {
  it("stops after one evaluation when the all-quantized model reaches the target", async () => {
    const m = additive({ a: 1, b: 2 });
    const r = await greedyFallback({ candidates: ["a", "b"], target: 6, score: m.score });
    expect(r).toMatchObject({ scoreBefore: 7, scoreAfter: 7, layers: [], sensitivity: [], met: true, evaluations: 1 });
  });

  it("falls back in order of leave-one-out gain until the target holds, reusing the first leave-one-out score", async () => {
    const m = additive({ a: 1, b: 5, c: 3, d: 0.5 });
    const r = await greedyFallback({ candidates: ["a", "b", "c", "d"], target: 8, score: m.score });
    expect(r.sensitivity.map((s) => [s.layer, s.gain])).toEqual([["a", 1], ["b", 5], ["c", 3], ["d", 0.5]]);
    expect(r.layers).toEqual(["b", "c"]);
    expect(r.steps).toEqual([5.5, 8.5]);
    expect(r).toMatchObject({ scoreBefore: 0.5, scoreAfter: 8.5, met: true });
    // Backward elimination tries c, then b, back in int8: neither can be.
    expect(m.calls).toEqual([[], ["a"], ["b"], ["c"], ["d"], ["b", "c"], ["b"], ["c"]]);
    expect(r.requantized).toEqual([]);
    expect(r.evaluations).toBe(8);
  });

  it("with rank: no leave-one-out, the given order, the first greedy step scored", async () => {
    const m = additive({ a: 1, b: 5, c: 3, d: 0.5 });
    let ranked = 0;
    const seen: [number, number][] = [];
    const r = await greedyFallback({
      candidates: ["a", "b", "c", "d"],
      target: 8,
      score: m.score,
      rank: async () => (ranked++, ["b", "c", "a", "d"]),
      progress: (d, t) => seen.push([d, t]),
    });
    expect(ranked).toBe(1);
    expect(r).toMatchObject({ layers: ["b", "c"], steps: [5.5, 8.5], sensitivity: [], met: true, evaluations: 5 });
    expect(m.calls).toEqual([[], ["b"], ["b", "c"], ["b"], ["c"]]);
    expect(seen.at(-1)).toEqual([9, 9]); // 1 + 2 x 4
    // Not called when the all-quantized model reaches the target.
    await greedyFallback({ candidates: ["a"], target: 0, score: m.score, rank: async () => (ranked++, ["a"]) });
    expect(ranked).toBe(1);
  });

  it("gives back layers that only the greedy order took (two layers that each break the model alone)", async () => {
    // u and v each zero the score while quantized; w costs 1; x costs 0.1. No single fallback
    // gains anything, so the greedy order is node order and takes every layer up to v.
    const score = async (skip: readonly string[]) => {
      if (!skip.includes("u") || !skip.includes("v")) return 0;
      return 10 - (skip.includes("w") ? 0 : 1) - (skip.includes("x") ? 0 : 0.1);
    };
    const r = await greedyFallback({ candidates: ["w", "x", "u", "v"], target: 8.5, score });
    expect(r.steps).toEqual([0, 0, 0, 10]);
    expect(r.layers).toEqual(["u", "v"]);
    expect(r.requantized).toEqual(["x", "w"]);
    expect(r).toMatchObject({ met: true, scoreAfter: 8.9 });
  });

  it("breaks ties by candidate order and honours maxLayers (met=false, best prefix kept)", async () => {
    const m = additive({ x: 2, y: 2, z: 2 });
    const r = await greedyFallback({ candidates: ["x", "y", "z"], target: 10, maxLayers: 2, score: m.score });
    expect(r.layers).toEqual(["x", "y"]);
    expect(r).toMatchObject({ met: false, scoreAfter: 8, best: { score: 8, layers: ["x", "y"] } });
  });

  it("treats NaN scores as -Infinity and reports progress up to its total", async () => {
    const seen: [number, number][] = [];
    const r = await greedyFallback({
      candidates: ["p", "q"],
      target: 1,
      score: async (skip) => (skip.includes("q") ? 1 : Number.NaN),
      progress: (d, t) => seen.push([d, t]),
    });
    expect(r.scoreBefore).toBe(-Infinity);
    expect(r.layers).toEqual(["q"]);
    expect(seen.at(-1)).toEqual([7, 7]); // 1 + 2 leave-one-out + 2 x 2 (greedy and backward steps, at most)
  });
});
