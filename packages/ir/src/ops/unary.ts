/** Elementwise unary ops (math, activations, predicates, Clip, Identity), ONNX opset-21 semantics. */
import { defineOp, type AttrSpec, type InferContext } from "../op-registry.js";
import type { DType } from "../dtype.js";
import type { TensorType } from "../types.js";
import {
  FLOAT_TYPES, NUMERIC_TYPES, SIGNED_NUMERIC_TYPES, input, optionalInput, requireDType,
} from "./shape-util.js";

function elementwise(allowed: readonly DType[] | undefined, what: string, out?: DType) {
  return (ctx: InferContext): TensorType[] => {
    const t = allowed ? requireDType(ctx, 0, allowed, what) : input(ctx, 0);
    return [{ dtype: out ?? t.dtype, shape: t.shape }];
  };
}

const float = elementwise(FLOAT_TYPES, "a float type");
const alpha = (v: number, doc = "coefficient"): Record<string, AttrSpec> => ({ alpha: { kind: "float", default: v, doc } });

function def(name: string, doc: string, infer: (ctx: InferContext) => TensorType[], attrs: Record<string, AttrSpec> = {}, verify?: (ctx: InferContext) => string | undefined): void {
  defineOp({ name, doc, inputs: ["X"], outputs: ["Y"], attrs, infer, ...(verify ? { verify } : {}) });
}

def("Abs", "|x| (integers wrap: Abs(-128 as i8) = -128)", elementwise(NUMERIC_TYPES, "a numeric type"));
def("Neg", "-x", elementwise(SIGNED_NUMERIC_TYPES, "a signed numeric type"));
def("Sign", "-1, 0 or 1 by the sign of x (NaN stays NaN)", elementwise(NUMERIC_TYPES, "a numeric type"));
def("Relu", "max(0, x)", elementwise(SIGNED_NUMERIC_TYPES, "a signed numeric type"));

for (const [name, doc] of [
  ["Exp", "e^x"], ["Log", "natural log"], ["Sqrt", "square root"], ["Reciprocal", "1 / x"],
  ["Floor", "round toward -inf"], ["Ceil", "round toward +inf"], ["Round", "round to nearest integer, half to even"],
  ["Sin", "sine"], ["Cos", "cosine"], ["Tan", "tangent"], ["Asin", "arcsine"], ["Acos", "arccosine"], ["Atan", "arctangent"],
  ["Sinh", "hyperbolic sine"], ["Cosh", "hyperbolic cosine"], ["Asinh", "inverse hyperbolic sine"],
  ["Acosh", "inverse hyperbolic cosine"], ["Atanh", "inverse hyperbolic tangent"], ["Tanh", "hyperbolic tangent"],
  ["Sigmoid", "1 / (1 + e^-x)"], ["HardSwish", "x * max(0, min(1, x / 6 + 1/2))"],
  ["Softplus", "log(1 + e^x), computed stably"], ["Softsign", "x / (1 + |x|)"], ["Mish", "x * tanh(softplus(x))"],
] as const)
  def(name, doc, float);

def("Erf", "Gauss error function (integer inputs give the truncated result)", elementwise(NUMERIC_TYPES, "a numeric type"));
def("LeakyRelu", "x < 0 ? alpha * x : x", float, alpha(0.01));
def("Elu", "x < 0 ? alpha * (e^x - 1) : x", float, alpha(1));
def("Celu", "max(0, x) + min(0, alpha * (e^(x / alpha) - 1))", float, alpha(1));
def("ThresholdedRelu", "x > alpha ? x : 0", float, alpha(1, "threshold"));
def("Selu", "gamma * (x > 0 ? x : alpha * e^x - alpha)", float, {
  alpha: { kind: "float", default: 1.67326319217681884765625 },
  gamma: { kind: "float", default: 1.05070102214813232421875 },
});
def("HardSigmoid", "max(0, min(1, alpha * x + beta))", float, {
  alpha: { kind: "float", default: 0.2 },
  beta: { kind: "float", default: 0.5 },
});
def(
  "Gelu",
  "x * Phi(x): 0.5 x (1 + erf(x / sqrt 2)), or the tanh approximation when approximate='tanh'",
  float,
  { approximate: { kind: "string", default: "none", doc: "none | tanh" } },
  (ctx) => (["none", "tanh"].includes(ctx.attr<string>("approximate")) ? undefined : `approximate must be 'none' or 'tanh', got '${ctx.attr<string>("approximate")}'`),
);

def("Not", "logical not of a bool tensor", elementwise(["bool"], "bool"));
def("IsNaN", "x is NaN, as bool", elementwise(FLOAT_TYPES, "a float type", "bool"));
def("IsInf", "x is +inf (detect_positive) or -inf (detect_negative), as bool", elementwise(FLOAT_TYPES, "a float type", "bool"), {
  detect_negative: { kind: "int", default: 1 },
  detect_positive: { kind: "int", default: 1 },
});
def("Identity", "the input, unchanged", elementwise(undefined, ""));

defineOp({
  name: "Clip",
  doc: "min(max(x, min), max) with optional scalar bounds (min > max gives max everywhere)",
  inputs: ["input", "min", "max"],
  minInputs: 1,
  outputs: ["output"],
  attrs: {},
  infer(ctx) {
    const t = requireDType(ctx, 0, NUMERIC_TYPES, "a numeric type");
    for (const i of [1, 2]) {
      const b = optionalInput(ctx, i);
      if (!b) continue;
      if (b.dtype !== t.dtype) ctx.fail(`bound ${i} has dtype ${b.dtype}, input has ${t.dtype}`);
      if (b.shape.length > 1 || (b.shape.length === 1 && b.shape[0] !== 1 && typeof b.shape[0] === "number"))
        ctx.fail(`bound ${i} must be a scalar, got shape [${b.shape.join(",")}]`);
    }
    return [{ dtype: t.dtype, shape: t.shape }];
  },
});
