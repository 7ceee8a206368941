/**
 * Symbolic inference agrees with the kernels: the data input is declared with some dims as
 * symbols (s0, s1...), shape-carrying inputs are constants, and every inferred output dim must
 * be "?", the kernel's number, or a symbol whose bound value is the kernel's number.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { GraphBuilder, Tensor, type Attrs, type Dim } from "@quantpass/ir";
import { CpuInterpreter } from "../interpreter.js";
import { f32, i64, i64v } from "./move-test-util.js";

interface Case { op: string; extra: (Tensor | undefined)[]; attrs?: Attrs; outputs?: number }

/** A valid node for input dims `d`, chosen by `k` and shaped by random numbers `r`. */
function caseFor(k: number, d: number[], r: number[]): Case | undefined {
  const rank = d.length;
  const ax = r[0]! % rank;
  switch (k) {
    case 0: return { op: "Reshape", extra: [i64v([...d.slice(0, ax).map((_, i) => (r[i]! % 2 ? 0 : d[i]!)), -1])] };
    case 1: return { op: "Flatten", extra: [], attrs: { axis: r[1]! % (rank + 1) } };
    case 2: return { op: "Transpose", extra: [], attrs: { perm: d.map((_, i) => i).sort((a, b) => ((a * 5 + r[2]!) % 7) - ((b * 5 + r[2]!) % 7)) } };
    case 3: return { op: "Unsqueeze", extra: [i64v([ax, -1])] };
    case 4: return { op: "Slice", extra: [i64v([r[1]! % 3 - 1]), i64v([r[2]! % 2 ? 9223372036854775807 : r[3]! % 4]), i64v([ax]), i64v([r[4]! % 2 ? 1 : -1])] };
    case 5: return { op: "Pad", extra: [i64v([...d.map((_, i) => r[i]! % 2), ...d.map((_, i) => r[i + 1]! % 3 - 1)].map((p, i) => Math.max(p, -Math.floor(d[i % rank]! / 2))))], attrs: { mode: ["constant", "edge", "reflect", "wrap"][r[5]! % 4]! } };
    case 6: return { op: "Concat", extra: [f32(d.map((x, i) => (i === ax ? r[1]! % 3 : x)))], attrs: { axis: ax } };
    case 7: return d[ax]! >= 2 ? { op: "Split", extra: [], attrs: { axis: ax, num_outputs: 2 }, outputs: 2 } : undefined;
    case 8: return { op: "Gather", extra: [i64([2], [r[1]! % d[ax]!, -1])], attrs: { axis: ax } };
    case 9: return { op: "Expand", extra: [i64v([r[1]! % 3 + 1, ...d.map((x, i) => (r[i]! % 2 ? 1 : x))])] };
    case 10: return { op: "Tile", extra: [i64v(d.map((_, i) => r[i]! % 3))] };
    case 11: return { op: "TopK", extra: [i64v([r[1]! % (d[ax]! + 1)])], attrs: { axis: ax }, outputs: 2 };
    case 12: return { op: "Resize", extra: [undefined, Tensor.f32([rank], d.map((_, i) => [0.5, 1, 2, 1.5][r[i]! % 4]!))], attrs: { mode: ["nearest", "linear"][r[1]! % 2]! } };
    case 13: return { op: "Squeeze", extra: [] }; // symbols are assumed not to be 1 (see below)
    default: return undefined;
  }
}

describe("symbolic inference agrees with the kernels", () => {
  it("on random ops, shapes and symbol placements", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 13 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(100), { minLength: 8, maxLength: 8 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (k, dims, r, symbolic) => {
        const c = caseFor(k, dims, r);
        if (!c) return;
        // Squeeze without axes cannot know whether a symbolic dim is 1: inference assumes not
        if (c.op === "Squeeze" && dims.some((x, i) => symbolic[i] && x === 1)) return;
        const sym: Dim[] = dims.map((x, i) => (symbolic[i] ? `s${i}` : x));
        const bound = new Map(dims.map((x, i) => [`s${i}`, x]));
        const b = new GraphBuilder("g");
        const x = b.input("x", "f32", sym);
        const names = [x, ...c.extra.map((t, i) => (t ? b.constant(`c${i}`, t) : ""))];
        const outs = b.op(c.op, names, c.attrs ?? {}, { outputs: c.outputs ?? 1 });
        b.output(...outs);
        const g = b.build();
        const res = new CpuInterpreter().runSync(g, { x: f32(dims) });
        for (const o of outs) {
          const want = g.values[o]!.shape, got = res[o]!.shape;
          expect(want.length, `${c.op} rank`).toBe(got.length);
          want.forEach((w, j) => {
            if (w === "?") return;
            expect(typeof w === "number" ? w : bound.get(w), `${c.op} dim ${j} of [${want}] vs [${got}]`).toBe(got[j]);
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
