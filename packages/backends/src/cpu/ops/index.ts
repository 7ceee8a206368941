// Kernel files register themselves on import: one file per op group.
import "./binary.js";
import "./quant.js";
