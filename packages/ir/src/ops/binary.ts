/**
 * Elementwise binary and variadic ops with numpy (multidirectional) broadcasting,
 * ONNX opset-21 semantics: arithmetic, comparisons, logic, BitShift, PRelu, Where.
 */
import { defineOp, type AttrSpec, type InferContext } from "../op-registry.js";
import type { DType } from "../dtype.js";
import type { TensorType } from "../types.js";
import {
  FLOAT_TYPES, NUMERIC_TYPES, SIGNED_INT_TYPES, UNSIGNED_INT_TYPES,
  broadcastShapes, input, requireDType, requireSameDType,
} from "./shape-util.js";

const ANY: readonly DType[] = [...NUMERIC_TYPES, "bool", "string"];

/** Same-dtype inputs of an allowed class, broadcast; output dtype `out` or the input dtype. */
function broadcastOp(allowed: readonly DType[], what: string, out?: DType) {
  return (ctx: InferContext): TensorType[] => {
    const idx = ctx.node.inputs.map((_, i) => i);
    if (idx.length === 0) ctx.fail("needs at least one input");
    for (const i of idx) requireDType(ctx, i, allowed, what);
    const d = requireSameDType(ctx, idx);
    return [{ dtype: out ?? d, shape: broadcastShapes(ctx, idx.map((i) => input(ctx, i).shape)) }];
  };
}

function def(name: string, doc: string, infer: (ctx: InferContext) => TensorType[], attrs: Record<string, AttrSpec> = {}, verify?: (ctx: InferContext) => string | undefined): void {
  defineOp({ name, doc, inputs: ["A", "B"], outputs: ["C"], attrs, infer, ...(verify ? { verify } : {}) });
}

const numeric = broadcastOp(NUMERIC_TYPES, "a numeric type");
def("Add", "A + B with broadcasting (integers wrap)", numeric);
def("Sub", "A - B with broadcasting (integers wrap)", numeric);
def("Mul", "A * B with broadcasting (integers wrap)", numeric);
def("Div", "A / B with broadcasting; integer division truncates toward zero", numeric);
def(
  "Mod",
  "remainder with broadcasting: sign of the divisor (fmod=0, integers) or of the dividend (fmod=1, C fmod)",
  numeric,
  { fmod: { kind: "int", default: 0, doc: "1: C fmod (required for float inputs)" } },
  (ctx) => (FLOAT_TYPES.includes(input(ctx, 0).dtype) && ctx.attr<number>("fmod") !== 1 ? "Mod of float inputs needs fmod=1" : undefined),
);
defineOp({
  name: "Pow",
  doc: "X ** Y with broadcasting; the exponent may have another numeric dtype, the output has X's",
  inputs: ["X", "Y"],
  outputs: ["Z"],
  attrs: {},
  infer(ctx) {
    const x = requireDType(ctx, 0, NUMERIC_TYPES, "a numeric type");
    const y = requireDType(ctx, 1, NUMERIC_TYPES, "a numeric type");
    return [{ dtype: x.dtype, shape: broadcastShapes(ctx, [x.shape, y.shape]) }];
  },
});

for (const [name, doc, allowed, what] of [
  ["Max", "elementwise maximum of 1..n inputs with broadcasting (NaN propagates)", NUMERIC_TYPES, "a numeric type"],
  ["Min", "elementwise minimum of 1..n inputs with broadcasting (NaN propagates)", NUMERIC_TYPES, "a numeric type"],
  ["Sum", "elementwise sum of 1..n inputs with broadcasting, added left to right", NUMERIC_TYPES, "a numeric type"],
  ["Mean", "elementwise mean of 1..n inputs with broadcasting (sum left to right, then divide)", FLOAT_TYPES, "a float type"],
] as const)
  defineOp({ name, doc, inputs: ["data_0", "..."], minInputs: 1, outputs: [name.toLowerCase()], attrs: {}, infer: broadcastOp(allowed, what) });

def("Equal", "A == B with broadcasting, as bool", broadcastOp(ANY, "a numeric, bool or string type", "bool"));
for (const [name, op] of [["Less", "<"], ["Greater", ">"], ["LessOrEqual", "<="], ["GreaterOrEqual", ">="]] as const)
  def(name, `A ${op} B with broadcasting, as bool`, broadcastOp(NUMERIC_TYPES, "a numeric type", "bool"));

for (const name of ["And", "Or", "Xor"] as const)
  def(name, `logical ${name.toLowerCase()} of bool tensors with broadcasting`, broadcastOp(["bool"], "bool"));

def(
  "BitShift",
  "X << Y or X >> Y of unsigned integers with broadcasting; shifts by the bit width or more give 0",
  broadcastOp(UNSIGNED_INT_TYPES, "an unsigned integer type"),
  { direction: { kind: "string", required: true, doc: "LEFT or RIGHT" } },
  (ctx) => (["LEFT", "RIGHT"].includes(ctx.attr<string>("direction")) ? undefined : `direction must be LEFT or RIGHT, got '${ctx.attr<string>("direction")}'`),
);

defineOp({
  name: "PRelu",
  doc: "X < 0 ? slope * X : X, slope broadcast to X",
  inputs: ["X", "slope"],
  outputs: ["Y"],
  attrs: {},
  infer: broadcastOp([...FLOAT_TYPES, ...SIGNED_INT_TYPES, "u32", "u64"], "a float or integer type"),
});

defineOp({
  name: "Where",
  doc: "condition ? X : Y elementwise, the three inputs broadcast together",
  inputs: ["condition", "X", "Y"],
  outputs: ["output"],
  attrs: {},
  infer(ctx) {
    const c = requireDType(ctx, 0, ["bool"], "bool");
    const d = requireSameDType(ctx, [1, 2]);
    return [{ dtype: d, shape: broadcastShapes(ctx, [c.shape, input(ctx, 1).shape, input(ctx, 2).shape]) }];
  },
});
