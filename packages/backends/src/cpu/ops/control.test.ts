import { describe, expect, it } from "vitest";
import { GraphBuilder, Tensor, verify } from "@quantpass/ir";
import { CpuInterpreter } from "../interpreter.js";
import { NumpyRandom } from "./numpy-random.js";
import { f32, nums, run } from "./move-test-util.js";

/** outer: x [2]; then: x + c1 (reads x from the outer scope); else: a constant [3] */
function ifGraph() {
  const b = new GraphBuilder("g");
  const x = b.input("x", "f32", [2]);
  const cond = b.input("cond", "bool", []);
  const t = new GraphBuilder("then", "float", (n) => b.typeOf(n));
  t.output(t.op1("Add", [x, t.constant("one", Tensor.f32([2], [1, 1]))]));
  const e = new GraphBuilder("else", "float", (n) => b.typeOf(n));
  e.output(e.constant("k", Tensor.f32([3], [7, 8, 9])));
  const [y] = b.op("If", [cond], { then_branch: t.build(), else_branch: e.build() }, { outputs: 1 });
  b.output(y!);
  return { g: b.build(), y: y! };
}

describe("If kernel", () => {
  it("joins the branch types and runs the chosen branch with outer values visible", () => {
    const { g, y } = ifGraph();
    expect(g.values[y]).toEqual({ dtype: "f32", shape: ["?"] });
    expect(() => verify(g)).not.toThrow();
    const cpu = new CpuInterpreter();
    const feeds = (c: number) => ({ x: Tensor.f32([2], [1, 2]), cond: Tensor.fromNumbers("bool", [], [c]) });
    expect(nums(cpu.runSync(g, feeds(1))[y]!)).toEqual([2, 3]);
    expect(nums(cpu.runSync(g, feeds(0))[y]!)).toEqual([7, 8, 9]);
  });
});

describe("Dropout kernel", () => {
  const x = f32([3, 4], Array.from({ length: 12 }, (_, i) => i - 5));
  it("is the identity at inference, with an all-true mask", () => {
    const [y, m] = run("Dropout", [x, f32([], [0.3])], {}, { outputs: 2 });
    expect(y!.data).toBe(x.data);
    expect(m!.dtype).toBe("bool");
    expect(nums(m!)).toEqual(new Array(12).fill(1));
    const f = Tensor.fromNumbers("bool", [], [0]);
    expect(nums(run("Dropout", [x, f32([], [0.9]), f], {}, { consts: [1, 2] })[0]!)).toEqual(nums(x));
  });
  it("in training mode masks with numpy's stream for the seed and scales kept values", () => {
    const t = Tensor.fromNumbers("bool", [], [1]);
    const [y, m] = run("Dropout", [x, f32([], [0.5]), t], { seed: 3 }, { outputs: 2 });
    const u = new NumpyRandom(3).uniform(12);
    nums(x).forEach((v, i) => {
      expect(m!.get(i)).toBe(u[i]! >= 0.5 ? 1 : 0);
      expect(y!.get(i)).toBe(u[i]! >= 0.5 ? v * 2 : 0 * v); // numpy: mask * x gives -0 for dropped negatives
    });
  });
  it("numpy stream matches np.random.seed(0); np.random.uniform(0, 1, 3)", () => {
    expect([...new NumpyRandom(0).uniform(3)].map((v) => v.toFixed(8))).toEqual(["0.54881350", "0.71518937", "0.60276338"]);
    expect(new NumpyRandom(42).sample().toFixed(8)).toBe("0.37454012");
  });
});
