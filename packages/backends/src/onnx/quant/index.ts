export {
  exportQuantizedOnnx, exportQuantizedOnnxBytes, lowerQuantized, saveQuantizedOnnx, QUANT_FORMATS,
  type LoweredQuant, type QuantExportOptions, type QuantFormat,
} from "./export-quant.js";
