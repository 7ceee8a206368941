/** sotu-llama: one forward pass over a 128-byte window (batch 1, its full context). */
import { runModelBench } from "../lib/models.js";
import type { BenchCase } from "../lib/types.js";

// 128 bytes of plain English text (the model's vocabulary is bytes; the content only sets the ids).
const TEXT = "The state of the Union is strong, and the work before us is to keep it so: to build, to trade, to teach, and to defend the peace. ";

export const sotuCase: BenchCase = {
  name: "sotu-llama",
  ours: "quantpass-interpreter",
  async run(ctx) {
    ctx.log(`sotu-llama (${ctx.threads} thread${ctx.threads > 1 ? "s" : ""})`);
    const bytes = new TextEncoder().encode(TEXT).subarray(0, 128);
    if (bytes.length !== 128) throw new Error(`sotu-llama bench text is ${bytes.length} bytes, not 128`);
    const ids = BigInt64Array.from(bytes, (b) => BigInt(b));
    return runModelBench(ctx, {
      caseName: "sotu-llama",
      name: "sotu-llama, 128 bytes",
      model: "sotu-llama",
      inputs: { input_ids: { type: "int64", data: ids, dims: [1, 128] } },
      output: "logits",
    });
  },
};
