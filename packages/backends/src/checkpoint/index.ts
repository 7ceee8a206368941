// Quantized safetensors checkpoints (layout in format.ts).
export { saveQuantizedCheckpoint } from "./save.js";
export { loadQuantizedCheckpoint, readQuantizedCheckpointConfig, type LoadCheckpointOptions } from "./load.js";
export { CHECKPOINT_FORMAT, type IndexEntry } from "./format.js";
