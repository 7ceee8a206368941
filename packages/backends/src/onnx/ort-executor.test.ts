import { afterAll, describe, expect, it } from "vitest";
import { f16BitsToF32, GraphBuilder, Tensor, UserError, type Graph } from "@quantpass/ir";
import { OrtExecutor } from "./ort-executor.js";

function mlp(): Graph {
  const b = new GraphBuilder("mlp");
  const x = b.input("x", "f32", ["batch", 2]);
  const h = b.op1("MatMul", [x, b.constant("w", Tensor.f32([2, 2], [1, 2, 3, 4]))], {}, { outputs: ["h"] });
  const r = b.op1("Relu", [h], {}, { outputs: ["r"] });
  const y = b.op1("Add", [r, b.constant("bias", Tensor.f32([2], [0.5, -0.5]))], {}, { outputs: ["y"] });
  b.output(y);
  return b.build();
}

const ex = new OrtExecutor({ threads: 1 });
afterAll(() => ex.dispose());

describe("OrtExecutor", () => {
  it("runs a graph and returns its outputs", async () => {
    const out = await ex.run(mlp(), { x: Tensor.f32([2, 2], [1, 1, -1, 0]) });
    expect(Object.keys(out)).toEqual(["y"]);
    expect(out.y!.shape).toEqual([2, 2]);
    expect(out.y!.toNumbers()).toEqual([4.5, 5.5, 0.5, -0.5]);
  });

  it("returns fetched intermediate values, inputs and constants as extra outputs", async () => {
    const g = mlp();
    const x = Tensor.f32([1, 2], [1, -1]);
    const out = await ex.run(g, { x }, { fetch: ["h", "y", "x", "w"] });
    expect(out.h!.toNumbers()).toEqual([-2, -2]);
    expect(out.y!.toNumbers()).toEqual([0.5, -0.5]);
    expect(out.x!.toNumbers()).toEqual([1, -1]);
    expect(out.w!.toNumbers()).toEqual([1, 2, 3, 4]);
    // The same graph with and without fetches keeps separate sessions; both keep working.
    expect((await ex.run(g, { x })).y!.toNumbers()).toEqual([0.5, -0.5]);
    expect((await ex.run(g, { x }, { fetch: ["r"] })).r!.toNumbers()).toEqual([0, 0]);
  });

  it("converts i64, bool and f16 tensors both ways", async () => {
    const b = new GraphBuilder("types");
    const ids = b.input("ids", "i64", [3]);
    const h = b.input("h", "f16", [2]);
    const eq = b.op1("Equal", [ids, b.constant("two", new Tensor("i64", [], BigInt64Array.of(2n)))]);
    const twice = b.op1("Add", [ids, ids]);
    const hh = b.op1("Mul", [h, h]);
    b.output(eq, twice, hh);
    const g = b.build();
    const out = await ex.run(g, {
      ids: new Tensor("i64", [3], BigInt64Array.of(1n, 2n, 3n)),
      h: Tensor.fromNumbers("f16", [2], [1.5, -3]),
    });
    expect(out[eq]!.dtype).toBe("bool");
    expect(out[eq]!.toNumbers()).toEqual([0, 1, 0]);
    expect(out[twice]!.dtype).toBe("i64");
    expect(Array.from(out[twice]!.data as BigInt64Array)).toEqual([2n, 4n, 6n]);
    expect(out[hh]!.dtype).toBe("f16");
    expect(Array.from(out[hh]!.data as Uint16Array, f16BitsToF32)).toEqual([2.25, 9]);
  });

  it("runs an observed graph (observe as Identity) and returns observer outputs as extra outputs", async () => {
    const b = new GraphBuilder("obs", "observed");
    const x = b.input("x", "f32", ["batch", 2]);
    const xo = b.op1("observe", [x], { method: "minmax" }, { name: "obs_x", outputs: ["x.obs"] });
    const h = b.op1("MatMul", [xo, b.constant("w", Tensor.f32([2, 2], [1, 2, 3, 4]))], {}, { outputs: ["h"] });
    b.op1("observe", [h], {}, { name: "obs_h", outputs: ["h.obs"] });
    const g = b.output("h.obs").build();
    const out = await ex.run(g, { x: Tensor.f32([1, 2], [1, -1]) }, { fetch: ["x.obs", "h.obs"] });
    expect(out["x.obs"]!.toNumbers()).toEqual([1, -1]);
    expect(out["h.obs"]!.toNumbers()).toEqual([-2, -2]);
  });

  it("runs int graphs through the QDQ lowering and refuses to return int4 values", async () => {
    const b = new GraphBuilder("q", "int");
    const x = b.input("x", "f32", [4]);
    const q = b.op1("quantize", [x], { storage: "i8", scale: [0.5], zero_point: [3] }, { outputs: ["q"] });
    b.op1("dequantize", [q], {}, { outputs: ["y"] });
    const q4 = b.op1("quantize", [x], { storage: "i4", scale: [0.5] }, { outputs: ["q4"] });
    b.op1("dequantize", [q4], {}, { outputs: ["y4"] });
    const g = b.output("y", "y4").build();
    const out = await ex.run(g, { x: Tensor.f32([4], [0.25, 0.75, -100, 2]) }, { fetch: ["q"] });
    expect(out.q!.dtype).toBe("i8");
    expect(out.q!.toNumbers()).toEqual([3, 5, -128, 7]); // 0.5 → 0 and 1.5 → 2: half to even
    expect(out.y!.toNumbers()).toEqual([0, 1, -65.5, 2]);
    expect(out.y4!.toNumbers()).toEqual([0, 1, -4, 2]);
    await expect(ex.run(g, { x: Tensor.f32([4], [0, 0, 0, 0]) }, { fetch: ["q4"] })).rejects.toThrow(/cannot output int4/);
  });

  it("keeps at most maxSessions sessions open; release(graph) and dispose() close them", async () => {
    const small = new OrtExecutor({ threads: 1, maxSessions: 2 });
    const x = Tensor.f32([1, 2], [1, 1]);
    const graphs = [mlp(), mlp(), mlp()];
    for (const g of graphs) expect((await small.run(g, { x })).y!.toNumbers()).toEqual([4.5, 5.5]);
    expect(small.openSessions).toBe(2);
    // The evicted graph gets a new session; concurrent runs of many graphs all finish.
    const all = await Promise.all([...graphs, mlp(), mlp()].map((g) => small.run(g, { x })));
    expect(all.map((o) => o.y!.toNumbers())).toEqual(Array(5).fill([4.5, 5.5]));
    expect(small.openSessions).toBe(2);
    await small.run(graphs[1]!, { x });
    await small.run(graphs[2]!, { x }); // open now: graphs 1 and 2
    await small.release(graphs[2]!);
    await small.release(graphs[0]!); // not open: a no-op
    expect(small.openSessions).toBe(1);
    await small.dispose();
    expect(small.openSessions).toBe(0);
    expect((await small.run(graphs[0]!, { x })).y!.toNumbers()).toEqual([4.5, 5.5]);
    await small.dispose();
  });

  it("rejects missing feeds and unknown fetches with a UserError", async () => {
    await expect(ex.run(mlp(), {})).rejects.toThrow(UserError);
    await expect(ex.run(mlp(), { x: Tensor.f32([1, 2], [0, 0]) }, { fetch: ["nope"] })).rejects.toThrow("cannot fetch 'nope'");
  });
});
