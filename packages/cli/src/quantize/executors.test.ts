import { describe, expect, it } from "vitest";
import { OrtExecutor } from "@quantpass/backends";
import { GraphBuilder, Tensor, UserError } from "@quantpass/ir";
import { createExecutor, parseExecutorName } from "./executors.js";

describe("quantize executors", () => {
  it("parses executor names", () => {
    expect([parseExecutorName("CPU"), parseExecutorName("ort"), parseExecutorName("onnxruntime")]).toEqual(["cpu", "ort", "ort"]);
    expect(() => parseExecutorName("gpu")).toThrow(UserError);
  });

  it("--executor ort is the OrtExecutor itself and calibrates an observed graph (observer outputs fetched from onnxruntime)", async () => {
    const ex = await createExecutor("ort");
    expect(ex).toBeInstanceOf(OrtExecutor);
    const b = new GraphBuilder("obs", "observed");
    const x = b.input("x", "f32", [1, 3]);
    const xo = b.op1("observe", [x], {}, { name: "obs_x", outputs: ["x.obs"] });
    b.op1("Relu", [xo], {}, { outputs: ["y"] });
    const g = b.output("y").build();
    try {
      const out = await ex.run(g, { x: Tensor.f32([1, 3], [-1, 0.5, 2]) }, { fetch: ["x.obs"] });
      expect(out["x.obs"]!.toNumbers()).toEqual([-1, 0.5, 2]);
      expect(out.y!.toNumbers()).toEqual([0, 0.5, 2]);
    } finally {
      await ex.dispose?.();
    }
  });
});
