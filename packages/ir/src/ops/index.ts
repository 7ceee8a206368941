// Op definitions register themselves on import: one file per op group.
import "./binary.js";
import "./matmul.js";
import "./conv.js";
import "./pool.js";
import "./norm.js";
import "./quantize-linear.js";
import "./unary.js";
import "./cast.js";
import "./reduce.js";
import "./softmax.js";
import "./shape.js";
import "./layout.js";
import "./slice-pad.js";
import "./gather.js";
import "./index-ops.js";
import "./spatial.js";
import "./control.js";
