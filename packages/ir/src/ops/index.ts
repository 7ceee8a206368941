// Op definitions register themselves on import: one file per op group.
import "./binary.js";
