import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { parseGraph, Tensor, UserError, verify } from "@quantpass/ir";
import { runPipeline } from "../index.js";
import { sameBits } from "../testing/run.js";

const cpu = new CpuInterpreter();

const g = parseGraph(`graph @g stage=float {
  input %x : f32[b,3]
  input %w : f32[3]
  input %n : i32[2,2]
  input %flag : bool[1]
  input %dyn : f32[b]
  %y : f32[b,3] = Mul(%x, %w) #mul
  %s : i32[] = ReduceSum(%n) {keepdims=0} #sum
  output %y, %s, %flag, %dyn
}
`);

describe("bind-inputs", () => {
  it("makes bound inputs constants of their declared types; outputs equal feeding the values", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        async (w, n, flag) => {
          const text = `bind-inputs{w=[${w.map((v) => (Object.is(v, -0) ? "-0.0" : String(v))).join(",")}],n=[[${n[0]},${n[1]}],[${n[2]},${n[3]}]],flag=${flag}}`;
          const r = (await runPipeline(g, text)).graph;
          verify(r);
          expect(r.inputs).toEqual(["x", "dyn"]);
          expect(r.values.n).toEqual({ dtype: "i32", shape: [2, 2] });
          expect(r.constants.flag!.dtype).toBe("bool");
          expect((await runPipeline(r, text)).graph).toBe(r);
          const x = Tensor.f32([2, 3], [1, -2, 3, 0.5, 0.25, -4]);
          const dyn = Tensor.f32([2], [7, 8]);
          const [a, b] = [
            await cpu.run(g, { x, dyn, w: Tensor.f32([3], w), n: Tensor.fromNumbers("i32", [2, 2], n), flag: Tensor.fromNumbers("bool", [1], [flag ? 1 : 0]) }),
            await cpu.run(r, { x, dyn }),
          ];
          for (const o of g.outputs) expect(sameBits(a[o]!, b[o]!), o).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("reads i64 scalars, quoted numbers and nan/inf", async () => {
    const h = parseGraph(`graph @h stage=float {
  input %sr : i64[]
  input %v : f32[3]
  %e : bool[] = Equal(%sr, %sr) #eq
  %a : f32[3] = Abs(%v) #abs
  output %e, %a
}
`);
    const r = (await runPipeline(h, 'bind-inputs{sr="16000",v=[nan,-inf,"1e-3"]}')).graph;
    expect(r.inputs).toEqual([]);
    expect(r.constants.sr!.data).toEqual(new BigInt64Array([16000n]));
    expect(Array.from(r.constants.v!.data as Float32Array)).toEqual([NaN, -Infinity, Math.fround(1e-3)]);
  });

  it("names the input in its errors", async () => {
    const err = async (text: string, re: RegExp) => {
      const p = runPipeline(g, text);
      await expect(p).rejects.toThrow(UserError);
      await expect(p).rejects.toThrow(re);
    };
    await err("bind-inputs{sample_rate=16000}", /graph 'g' has no input 'sample_rate' \(inputs: x, w, n, flag, dyn\)/);
    await err("bind-inputs{x=1}", /input 'x' has shape \[b,3\], which is not static/);
    await err("bind-inputs{w=[1,2]}", /input 'w' \(f32\[3\]\): expected 3 values, got 2/);
    await err("bind-inputs{w=[1,2,abc]}", /input 'w' \(f32\[3\]\): value 'abc' does not parse as f32/);
    await err("bind-inputs{n=[1,2,3,0.5]}", /input 'n' \(i32\[2,2\]\): value 0.5 is not an integer in \[-2147483648, 2147483647\]/);
    await err("bind-inputs{n=[1,2,3,inf]}", /input 'n' \(i32\[2,2\]\): value 'inf' does not parse as i32/);
    await err("bind-inputs{flag=2}", /input 'flag' \(bool\[1\]\): value 2 is not 0 or 1/);
    await err("bind-inputs{w=[true,1,2]}", /input 'w' \(f32\[3\]\): value true is a boolean, the input is f32/);
  });

  it("changes nothing without options", async () => {
    expect((await runPipeline(g, "bind-inputs")).graph).toBe(g);
  });
});
