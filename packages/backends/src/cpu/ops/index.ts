// Kernel files register themselves on import: one file per op group.
import "./binary.js";
import "./quant.js";
import "./matmul.js";
import "./conv.js";
import "./conv-int.js";
import "./pool.js";
import "./norm.js";
import "./quantize-linear.js";
import "./unary.js";
import "./cast.js";
import "./reduce.js";
import "./softmax.js";
