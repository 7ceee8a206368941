/**
 * `@quantpass/passes/testing`: what users need to property-test their own passes.
 *
 *   import { checkPass, arbQuantGraphs } from "@quantpass/passes/testing";
 *   const report = await checkPass(myPass, { graphs: arbQuantGraphs, executor: new CpuInterpreter(), bound: { abs: 1e-6 } });
 */
import { arbConvNet, arbMlp, arbQuantGraph } from "./arb-quant.js";

export * from "./kit.js";
// Graph and tensor arbitraries: generic float graphs (@quantpass/ir/testing) and small
// quantizable networks (MLPs, conv nets) for the PTQ passes.
export { arbFloatGraph, arbName, arbShape, arbTensor } from "@quantpass/ir/testing";
export { arbConvNet, arbMlp, arbQuantGraph, type GraphCase } from "./arb-quant.js";
export { randomData, randomFeeds, listData, inputShape } from "./data.js";
export { sameBits, firstDiff } from "./run.js";
export { fileCheck, parseCheckFile, runCheckFile, type Check, type CheckFile } from "./filecheck.js";

/** arbQuantGraph's graphs (MLPs and conv nets) without their seeds. */
export const arbQuantGraphs = arbQuantGraph.map((c) => c.graph);
/** One-layer MLPs (MatMul or Gemm, optional bias and Relu): the easiest graphs to bound errors on. */
export const arbSingleLayer = arbMlp(1).map((c) => c.graph);
/** Conv → Relu → Flatten → MatMul/Gemm networks. */
export const arbConvNets = arbConvNet().map((c) => c.graph);
