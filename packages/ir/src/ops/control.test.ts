import { describe, expect, it } from "vitest";
import { GraphBuilder } from "../builder.js";
import { Tensor } from "../tensor.js";
import { verifyAll } from "../verifier.js";
import { inferTypes } from "./movement-infer-util.js";

describe("If and Dropout inference", () => {
  it("If joins branch output types; branches read outer values", () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", ["b", 4]);
    const c = b.input("c", "bool", [1]);
    const t = new GraphBuilder("then", "float", (n) => b.typeOf(n));
    t.output(t.op1("Add", [x, x]));
    const e = new GraphBuilder("else", "float", (n) => b.typeOf(n));
    e.output(e.constant("k", Tensor.f32([3, 4], new Array(12).fill(0))));
    const [y] = b.op("If", [c], { then_branch: t.build(), else_branch: e.build() });
    expect(b.typeOf(y!)).toEqual({ dtype: "f32", shape: ["?", 4] });
    b.output(y!);
    expect(verifyAll(b.build())).toEqual([]);
    const bad = new GraphBuilder("bad", "float", (n) => b.typeOf(n));
    bad.output(bad.constant("i", Tensor.fromNumbers("i64", [1], [1])));
    expect(() => b.op("If", [c], { then_branch: t.build(), else_branch: bad.build() })).toThrow(/dtypes f32 and i64/);
    expect(() => b.op("If", [x], { then_branch: t.build(), else_branch: e.build() })).toThrow(/cond must be bool/);
  });
  it("Dropout passes the type through, mask is bool", () => {
    expect(inferTypes("Dropout", [["f16", ["b", 8]], Tensor.f32([], [0.1])], {}, 2)).toEqual([
      { dtype: "f16", shape: ["b", 8] },
      { dtype: "bool", shape: ["b", 8] },
    ]);
  });
});
