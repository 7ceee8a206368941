export { runCli } from "./cli.js";
export { createProgram } from "./program.js";
export { describeFailure, isUserFacing, EXIT_BUG, EXIT_OK, EXIT_USAGE } from "./errors.js";
export { loadModel, saveModel, modelFormatOf, modelDisplayName, type ModelFormat } from "./model-io.js";
export { inspectGraph, formatInspect, type InspectReport } from "./report/inspect-report.js";
export { parseIdx, readIdxFile, type IdxArray } from "./data/idx.js";
export { loadFashionMnistTest, parseDataSpec } from "./data/fashion-mnist.js";
export { outputFileNames, sanitizeStem } from "./run/output-names.js";
