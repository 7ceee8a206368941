// Public API of the PTQ config: schema, presets, compile to a pipeline, apply/convert.
export { PtqConfigSchema, type PtqConfig, type PtqConfigInput, type PtqLayerPolicy, type PtqFallback } from "./schema.js";
export { PRESETS, presetConfig, mergeConfigs, type Preset } from "./presets.js";
export { parsePtqConfig, canonicalJson } from "./parse.js";
export { describeConfig, ptqConfigJsonSchema } from "./describe.js";
export { layerClasses, selection, type LayerClass, type Selection } from "./layers.js";
export { compilePtq, compilePtqPhases, checkImplemented, type PtqPhases } from "./compile.js";
export { apply, convert, deployGraph, appliedConfig, PTQ_META, type ApplyOptions } from "./phases.js";
export { rtnLayers } from "./rtn-layers.js";
export { deployRanges } from "./deploy-ranges.js";
export { dynamicQuant, DynamicQuantOptions, perTokenBlocker } from "../ptq/dynamic-quant.js";
export { fallbackCandidates, withFallbackLayers, type FallbackReport, type FallbackLayer, type FallbackScorer } from "./fallback.js";
export { greedyFallback, type SearchOptions, type SearchResult, type Sensitivity } from "../mixed/search.js";
export { sqnrScore, top1Score, builtinScorer, type Scorer, type BuiltinMetric } from "../mixed/score.js";
