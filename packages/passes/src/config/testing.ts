/** A small float graph for the config tests (builder-made MatMuls, one shared input). */
import { GraphBuilder, Tensor, type Graph } from "@quantpass/ir";
import { uniform } from "../testing/random.js";

/** x[b,16] → MatMul fc1 → Relu → MatMul head; x → MatMul side. */
export function mlp(): Graph {
  const b = new GraphBuilder("mlp");
  const x = b.input("x", "f32", ["b", 16]);
  const h = b.op1("MatMul", [x, b.constant("w1", Tensor.f32([16, 8], uniform(128, -1, 1, 3)))], {}, { name: "fc1" });
  const r = b.op1("Relu", [h], {}, { name: "relu" });
  const y = b.op1("MatMul", [r, b.constant("w2", Tensor.f32([8, 4], uniform(32, -1, 1, 4)))], {}, { name: "head" });
  const s = b.op1("MatMul", [x, b.constant("w3", Tensor.f32([16, 4], uniform(64, -1, 1, 5)))], {}, { name: "side" });
  return b.output(y, s).build();
}
