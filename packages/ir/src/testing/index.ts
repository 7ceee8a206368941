export * from "./arbitraries.js";
export * from "./quant-arbitraries.js";
export * from "./random.js";
