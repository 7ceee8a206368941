/**
 * The real fmnist-cnn through every PTQ stage on onnxruntime, against the interpreter:
 *   calibrated  ranges from 512 training images within 1e-5 relative of the interpreter's
 *               (float Conv/Gemm sum in another order), and the time of both (logged);
 *   fake-quant  the lowered graph (observe/fake_quant → ONNX ops) is the fake-quant graph bit for
 *               bit in the interpreter; every fake_quant is bit for bit the interpreter's kernel
 *               fed onnxruntime's own input of that node; teacher-forced (as quant/test-util.ts:
 *               onnxruntime's float Conv/Gemm sum in another order, so a value within float noise
 *               of a rounding tie may quantize one step apart, and the flip then propagates) the
 *               logits are within 1e-5 and flips are rare; free-running, the logit difference
 *               and argmax agreement are logged and bounded;
 *   int         the int graph (QDQ lowering) checked the same way.
 */
import { afterAll, describe, expect, it } from "vitest";
import { loadOnnx } from "@quantpass/frontends";
import { GraphBuilder, type Graph, type Tensor } from "@quantpass/ir";
import { runPipeline } from "@quantpass/passes";
import { imageBatch, loadFmnist } from "../../../passes/src/testing/fmnist.js";
import { CpuInterpreter } from "../cpu/interpreter.js";
import { OrtExecutor } from "./ort-executor.js";
import { lowerForOrt } from "./ort-lowering.js";
import { identical, relDiff } from "./quant/test-util.js";

const MODEL = new URL("../../../../testdata/models/fmnist-cnn/model.onnx", import.meta.url).pathname;
const cpu = new CpuInterpreter();
const ort = new OrtExecutor({ threads: 1 });
afterAll(() => ort.dispose());

const float = loadOnnx(MODEL);
const train = loadFmnist("train", 512);
const calibBatches = Array.from({ length: 8 }, (_, k) => ({ x: imageBatch(train, 64 * k, 64 * (k + 1)) }));
const x = { x: imageBatch(loadFmnist("t10k", 64), 0, 64) };
const OBSERVE = "insert-observers{method=minmax}";

async function calibrate(executor: CpuInterpreter | OrtExecutor): Promise<{ graph: Graph; seconds: number }> {
  const observed = (await runPipeline(float, OBSERVE)).graph;
  const t0 = performance.now();
  const graph = (await runPipeline(observed, "calibrate", { executor, data: { size: calibBatches.length, batches: () => calibBatches } })).graph;
  return { graph, seconds: (performance.now() - t0) / 1000 };
}

function argmaxAgreement(a: Tensor, b: Tensor): number {
  const x = a.toF32(), y = b.toF32(), n = x.length / 10;
  const am = (v: Float32Array, i: number) => { let k = 0; for (let c = 1; c < 10; c++) if (v[i * 10 + c]! > v[i * 10 + k]!) k = c; return k; };
  let same = 0;
  for (let i = 0; i < n; i++) if (am(x, i) === am(y, i)) same++;
  return same / n;
}

/**
 * Teacher-forced check of the lowered graph the executor runs (as quant/test-util.ts
 * oracleCheck, with onnxruntime's QDQ transformers off in both): the interpreter gets
 * onnxruntime's QuantizeLinear outputs, every QuantizeLinear must agree but at near-ties
 * (one step, |x/scale - (k + 1/2)| <= 1e-3) and the logits within 1e-5. Free-running
 * differences are logged and bounded.
 */
async function check(what: string, g: Graph, executorLogits: Tensor, cpuLogits: Tensor): Promise<void> {
  const l = lowerForOrt(g).graph;
  const qnodes = l.nodes.filter((n) => n.op === "QuantizeLinear");
  const taps = qnodes.map((n) => n.outputs[0]!);
  const o = await ort.run(l, x, { fetch: taps });
  expect(identical(o.logits!, executorLogits)).toBe(true);
  const shadow = (v: string) => `${v}#cpu`;
  const forced: Graph = {
    ...l,
    inputs: [...l.inputs, ...taps],
    values: { ...l.values, ...Object.fromEntries(taps.map((v) => [shadow(v), l.values[v]!])) },
    nodes: l.nodes.map((n) => (qnodes.includes(n) ? { ...n, outputs: [shadow(n.outputs[0]!)] } : n)),
  };
  const c = await cpu.run(forced, { ...x, ...Object.fromEntries(taps.map((v) => [v, o[v]!])) }, { fetch: [...taps.map(shadow), ...qnodes.map((n) => n.inputs[0]!)] });
  let quantized = 0, flips = 0;
  for (const n of qnodes) {
    const a = o[n.outputs[0]!]!, b = c[shadow(n.outputs[0]!)]!, xs = c[n.inputs[0]!]!.toF32();
    const scale = l.constants[n.inputs[1]!]!.get(0);
    quantized += a.size;
    for (let i = 0; i < a.size; i++) {
      if (a.get(i) === b.get(i)) continue;
      const t = Math.fround(xs[i]! / scale);
      expect(Math.abs(a.get(i) - b.get(i)) === 1 && Math.abs(t - Math.floor(t) - 0.5) <= 1e-3, `${n.name}[${i}]: ${a.get(i)} vs ${b.get(i)}, x/scale = ${t}`).toBe(true);
      flips++;
    }
  }
  const forcedRel = relDiff(o.logits!, c.logits!);
  const d = relDiff(executorLogits, cpuLogits), agree = argmaxAgreement(executorLogits, cpuLogits);
  console.log(`fmnist-cnn ${what}, 64 images: teacher-forced ${flips} near-tie flips in ${quantized} quantized activations, logits within ${forcedRel.toExponential(2)}; free-running logits within ${d.toExponential(2)} of the largest, argmax agreement ${agree}`);
  expect(forcedRel).toBeLessThanOrEqual(1e-5);
  expect(flips / quantized).toBeLessThan(1e-3);
  expect(d).toBeLessThan(0.05);
  expect(agree).toBeGreaterThanOrEqual(0.95);
}

function ranges(g: Graph): number[] {
  return g.nodes.filter((n) => n.op === "observe").flatMap((n) => [...(n.attrs.min as number[]), ...(n.attrs.max as number[])]);
}

/** One-node graph of a fake_quant, to run its kernel on a given input. */
function single(g: Graph, name: string, input: Tensor): Graph {
  const n = g.nodes.find((m) => m.name === name)!;
  const b = new GraphBuilder("one", "fake-quant");
  b.input("x", "f32", input.shape);
  b.op1("fake_quant", ["x"], n.attrs, { outputs: ["y"] });
  return b.output("y").build();
}

describe("OrtExecutor on fmnist-cnn", () => {
  it("calibrates 512 images to the interpreter's ranges; fake-quant: each fake_quant bit for bit and logits within 1e-5 teacher-forced", async () => {
    const c = await calibrate(cpu);
    const o = await calibrate(ort);
    const rc = ranges(c.graph), ro = ranges(o.graph);
    expect(ro.length).toBe(rc.length);
    const worst = Math.max(...rc.map((v, i) => Math.abs(v - ro[i]!) / Math.max(Math.abs(v), 1e-30)));
    console.log(`fmnist-cnn calibrate, 512 images (8 batches of 64), 1 thread: onnxruntime ${o.seconds.toFixed(2)} s, interpreter ${c.seconds.toFixed(2)} s; ranges within ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);

    const fq = (await runPipeline(c.graph, "fake-quant")).graph;
    const nodes = fq.nodes.filter((n) => n.op === "fake_quant" && !(n.inputs[0]! in fq.constants));
    expect(nodes.length).toBeGreaterThanOrEqual(4);
    const fetch = nodes.flatMap((n) => [n.inputs[0]!, n.outputs[0]!]);
    const t0 = performance.now();
    const a = await ort.run(fq, x, { fetch });
    const tOrt = performance.now() - t0;
    const t1 = performance.now();
    const b = await cpu.run(fq, x, { fetch });
    const tCpu = performance.now() - t1;
    console.log(`fmnist-cnn fake-quant, 64 images, first run: onnxruntime ${tOrt.toFixed(0)} ms (session included), interpreter ${tCpu.toFixed(0)} ms`);
    expect(identical((await cpu.run(lowerForOrt(fq).graph, x)).logits!, b.logits!)).toBe(true);
    await check("fake-quant", fq, a.logits!, b.logits!);
    for (const n of nodes) {
      const ref = (await cpu.run(single(fq, n.name, a[n.inputs[0]!]!), { x: a[n.inputs[0]!]! })).y!;
      expect(identical(a[n.outputs[0]!]!, ref), n.name).toBe(true);
    }
  }, 300_000);

  it("runs the int graph (QDQ lowering): the interpreter's unfused int graph, teacher-forced within 1e-5", async () => {
    const c = await calibrate(cpu);
    const int = (await runPipeline(c.graph, "fake-quant,fold-to-int,insert-dequant")).graph;
    const unfused = (await runPipeline(int, "insert-dequant{unfuse=true}")).graph;
    await check("int (qdq)", int, (await ort.run(int, x)).logits!, (await cpu.run(unfused, x)).logits!);
  }, 300_000);
});
