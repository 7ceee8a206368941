/**
 * Generic AttributeProto access. Reading: int64s become numbers (exact up to 2^53, larger
 * magnitudes round), byte strings are decoded as UTF-8, tensors become RawTensors. Writing
 * infers the attribute type from the value unless one is given.
 */
import type { RawTensor } from "../dtype.js";
import { fail } from "../errors.js";
import { longToNumber, type LongLike } from "./long.js";
import { onnx } from "./proto.js";
import { onnxTensorToRaw, rawToOnnxTensor } from "./tensor.js";

export type AttrValue =
  | number | number[] | string | string[] | RawTensor | RawTensor[]
  | onnx.IGraphProto | onnx.IGraphProto[]
  | onnx.ISparseTensorProto | onnx.ISparseTensorProto[] | onnx.ITypeProto | onnx.ITypeProto[];

export type AttrKind = "float" | "int" | "string" | "tensor" | "graph" | "floats" | "ints" | "strings" | "tensors" | "graphs";

export type AttrInput = number | bigint | string | RawTensor | onnx.IGraphProto | number[] | bigint[] | string[] | RawTensor[] | onnx.IGraphProto[];

const T = { UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14 } as const;

const KIND_CODE: Record<AttrKind, number> = {
  float: T.FLOAT, int: T.INT, string: T.STRING, tensor: T.TENSOR, graph: T.GRAPH,
  floats: T.FLOATS, ints: T.INTS, strings: T.STRINGS, tensors: T.TENSORS, graphs: T.GRAPHS,
};

const utf8 = new TextDecoder("utf-8");
const utf8Enc = new TextEncoder();
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const nonEmpty = (xs: unknown) => Array.isArray(xs) && xs.length > 0;

/** The attribute's type code; for old files with type UNDEFINED, inferred from the set field. */
export function attrType(a: onnx.IAttributeProto): number {
  if (a.type) return a.type;
  if (a.t) return T.TENSOR;
  if (a.g) return T.GRAPH;
  if (nonEmpty(a.floats)) return T.FLOATS;
  if (nonEmpty(a.ints)) return T.INTS;
  if (nonEmpty(a.strings)) return T.STRINGS;
  if (nonEmpty(a.tensors)) return T.TENSORS;
  if (nonEmpty(a.graphs)) return T.GRAPHS;
  if (has(a, "s")) return T.STRING;
  if (has(a, "i")) return T.INT;
  if (has(a, "f")) return T.FLOAT;
  return T.UNDEFINED;
}

/** The value of an attribute, by its type. FormatError on missing or malformed values. */
export function attrValue(a: onnx.IAttributeProto, file?: string): AttrValue {
  if (!a || typeof a !== "object") fail("attribute is not an AttributeProto", file);
  const where = `attribute '${typeof a.name === "string" ? a.name : ""}'`;
  const str = (b: unknown) => (b instanceof Uint8Array ? utf8.decode(b) : fail(`${where}: string is not bytes`, file));
  const list = <X>(xs: X[] | null | undefined): X[] => (xs == null ? [] : Array.isArray(xs) ? xs : fail(`${where}: not a list`, file));
  const need = <X>(x: X | null | undefined, what: string): X => x ?? fail(`${where}: missing ${what}`, file);
  const type = attrType(a);
  switch (type) {
    case T.FLOAT: return Number(a.f ?? 0);
    case T.INT: return longToNumber((a.i ?? 0) as LongLike);
    case T.STRING: return a.s == null ? "" : str(a.s);
    case T.TENSOR: return onnxTensorToRaw(need(a.t, "tensor"), file);
    case T.GRAPH: return need(a.g, "graph");
    case T.FLOATS: return list(a.floats).map(Number);
    case T.INTS: return list(a.ints).map((v) => longToNumber(v as LongLike));
    case T.STRINGS: return list(a.strings).map(str);
    case T.TENSORS: return list(a.tensors).map((t) => onnxTensorToRaw(t, file));
    case T.GRAPHS: return list(a.graphs);
    case T.SPARSE_TENSOR: return need(a.sparseTensor, "sparse tensor");
    case T.SPARSE_TENSORS: return list(a.sparseTensors);
    case T.TYPE_PROTO: return need(a.tp, "type proto");
    case T.TYPE_PROTOS: return list(a.typeProtos);
    case T.UNDEFINED: return fail(`${where}: has no type and no value`, file);
    default: return fail(`${where}: unknown attribute type ${String(type)}`, file);
  }
}

function isRawTensor(v: unknown): v is RawTensor {
  return !!v && typeof v === "object" && "dtype" in v && "dims" in v && "data" in v;
}

function inferKind(v: AttrInput): AttrKind {
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "bigint") return "int";
  if (typeof v === "string") return "string";
  if (!Array.isArray(v)) return isRawTensor(v) ? "tensor" : "graph";
  const xs = v as unknown[];
  if (xs.length === 0 || xs.every((x) => typeof x === "bigint" || (typeof x === "number" && Number.isInteger(x)))) return "ints";
  if (xs.every((x) => typeof x === "number")) return "floats";
  if (xs.every((x) => typeof x === "string")) return "strings";
  return xs.every(isRawTensor) ? "tensors" : "graphs";
}

/** An int64 for protobufjs: exact for bigints and safe integers, saturating beyond int64. */
function int64(v: number | bigint): LongLike {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "number" && !Number.isFinite(v)) throw new TypeError(`int attribute value ${v}`);
  const b = typeof v === "bigint" ? v : BigInt(Math.trunc(v));
  const c = b > 0x7fffffffffffffffn ? 0x7fffffffffffffffn : b < -0x8000000000000000n ? -0x8000000000000000n : b;
  const u = BigInt.asUintN(64, c);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: false };
}

/** Builds an AttributeProto; `kind` is inferred when omitted (integers → int, [] → ints). */
export function makeAttr(name: string, value: AttrInput, kind: AttrKind = inferKind(value)): onnx.AttributeProto {
  const a = onnx.AttributeProto.create({ name, type: KIND_CODE[kind] });
  const arr = <X>(): X[] => (Array.isArray(value) ? (value as X[]) : [value as X]);
  switch (kind) {
    case "float": a.f = Number(value); break;
    case "int": a.i = int64(value as number | bigint) as number; break;
    case "string": a.s = utf8Enc.encode(String(value)); break;
    case "tensor": a.t = rawToOnnxTensor("", value as RawTensor); break;
    case "graph": a.g = value as onnx.IGraphProto; break;
    case "floats": a.floats = arr<number>().map(Number); break;
    case "ints": a.ints = arr<number | bigint>().map((x) => int64(x) as number); break;
    case "strings": a.strings = arr<string>().map((s) => utf8Enc.encode(String(s))); break;
    case "tensors": a.tensors = arr<RawTensor>().map((t) => rawToOnnxTensor("", t)); break;
    case "graphs": a.graphs = arr<onnx.IGraphProto>(); break;
  }
  return a;
}
