/** Parser for the text IR written by printer.ts; errors give file:line:col. */
import { isDType, allocData, type DType } from "../dtype.js";
import { UserError } from "../errors.js";
import type { AttrValue, Graph, Node } from "../graph.js";
import { getOp, type AttrKind } from "../op-registry.js";
import { Tensor } from "../tensor.js";
import { STAGES, type Dim, type Granularity, type QuantType, type Stage, type StorageDType, type ExpressedDType, type TensorType } from "../types.js";
import { parseFloatToken } from "./format.js";
import { tokenize, type Token, type TokKind } from "./lexer.js";

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[], private readonly file: string) {}

  private peek(): Token { return this.toks[this.pos]!; }
  private next(): Token { return this.toks[this.pos++]!; }
  fail(msg: string, t = this.peek()): never {
    throw new UserError(`${this.file}:${t.line}:${t.col}: ${msg}`, this.file);
  }
  private is(kind: TokKind, text?: string): boolean {
    const t = this.peek();
    return t.kind === kind && (text === undefined || t.text === text);
  }
  private accept(kind: TokKind, text?: string): Token | undefined {
    return this.is(kind, text) ? this.next() : undefined;
  }
  private expect(kind: TokKind, text?: string): Token {
    const t = this.peek();
    if (!this.is(kind, text)) this.fail(`expected ${text ? `'${text}'` : kind}, found '${t.text || t.kind}'`);
    return this.next();
  }
  private name(): string {
    const t = this.peek();
    if (t.kind === "ident" || t.kind === "string") return this.next().text;
    return this.fail(`expected a name, found '${t.text || t.kind}'`);
  }

  graph(): Graph {
    this.expect("ident", "graph");
    const name = this.expect("graph").text;
    this.expect("ident", "stage");
    this.expect("punct", "=");
    const st = this.expect("ident");
    if (!(STAGES as readonly string[]).includes(st.text)) this.fail(`unknown stage '${st.text}'`, st);
    this.expect("punct", "{");
    const values: Record<string, TensorType> = {};
    const constants: Record<string, Tensor> = {};
    const nodes: Node[] = [];
    const inputs: string[] = [];
    let outputs: string[] = [];
    const meta: Record<string, string> = {};
    const declare = (v: Token, t: TensorType) => {
      if (v.text in values) this.fail(`value '%${v.text}' is defined twice`, v);
      values[v.text] = t;
    };
    while (!this.accept("punct", "}")) {
      const t = this.peek();
      if (t.kind === "ident" && t.text === "meta") {
        this.next();
        this.expect("punct", "{");
        while (!this.accept("punct", "}")) {
          const k = this.name();
          this.expect("punct", "=");
          meta[k] = this.expect("string").text;
          if (!this.is("punct", "}")) this.expect("punct", ",");
        }
      } else if (t.kind === "ident" && t.text === "input") {
        this.next();
        const v = this.expect("value");
        this.expect("punct", ":");
        declare(v, this.type());
        inputs.push(v.text);
      } else if (t.kind === "ident" && t.text === "const") {
        this.next();
        const v = this.expect("value");
        this.expect("punct", ":");
        const ty = this.type();
        this.expect("punct", "=");
        this.expect("ident", "dense");
        this.expect("punct", "<");
        constants[v.text] = this.tensorData(ty.dtype, ty.shape);
        this.expect("punct", ">");
        declare(v, ty);
      } else if (t.kind === "ident" && t.text === "output") {
        this.next();
        outputs = [this.expect("value").text];
        while (this.accept("punct", ",")) outputs.push(this.expect("value").text);
      } else {
        nodes.push(this.node(declare));
      }
    }
    return { name, stage: st.text as Stage, inputs, outputs, values, constants, nodes, meta };
  }

  private node(declare: (v: Token, t: TensorType) => void): Node {
    const outs: string[] = [];
    do {
      if (this.accept("punct", "_")) { outs.push(""); continue; }
      const v = this.expect("value");
      this.expect("punct", ":");
      declare(v, this.type());
      outs.push(v.text);
    } while (this.accept("punct", ","));
    this.expect("punct", "=");
    const opTok = this.expect("ident");
    const def = getOp(opTok.text);
    if (!def) this.fail(`unknown op '${opTok.text}'`, opTok);
    this.expect("punct", "(");
    const ins: string[] = [];
    if (!this.is("punct", ")")) {
      do ins.push(this.accept("punct", "_") ? "" : this.expect("value").text);
      while (this.accept("punct", ","));
    }
    this.expect("punct", ")");
    const attrs: Record<string, AttrValue> = {};
    if (this.accept("punct", "{")) {
      while (!this.accept("punct", "}")) {
        const kt = this.peek();
        const k = this.name();
        const spec = def!.attrs[k];
        if (!spec) this.fail(`op '${opTok.text}' has no attribute '${k}'`, kt);
        this.expect("punct", "=");
        attrs[k] = this.attr(spec!.kind);
        if (!this.is("punct", "}")) this.expect("punct", ",");
      }
    }
    this.expect("node");
    return { name: this.toks[this.pos - 1]!.text, op: opTok.text, inputs: ins, outputs: outs, attrs };
  }

  private attr(kind: AttrKind): AttrValue {
    switch (kind) {
      case "int": return this.number();
      case "float": return Math.fround(this.number());
      case "string": return this.expect("string").text;
      case "ints": return this.list(() => this.number());
      case "floats": return this.list(() => Math.fround(this.number()));
      case "strings": return this.list(() => this.expect("string").text);
      case "tensor": {
        this.expect("ident", "dense");
        this.expect("punct", "<");
        const ty = this.type();
        const t = this.tensorData(ty.dtype, ty.shape);
        this.expect("punct", ">");
        return t;
      }
      case "graph": return this.graph();
    }
  }

  private list<T>(item: () => T): T[] {
    this.expect("punct", "[");
    const out: T[] = [];
    if (!this.is("punct", "]")) {
      do out.push(item());
      while (this.accept("punct", ","));
    }
    this.expect("punct", "]");
    return out;
  }

  private number(): number {
    const t = this.expect("number");
    return parseFloatToken(t.text);
  }

  type(): TensorType {
    const dt = this.expect("ident");
    if (!isDType(dt.text)) this.fail(`unknown dtype '${dt.text}'`, dt);
    const shape = this.list<Dim>(() => {
      if (this.accept("punct", "?")) return "?";
      const t = this.next();
      if (t.kind === "number") return Number(t.text);
      if (t.kind === "ident" || t.kind === "string") return t.text;
      return this.fail(`bad dimension '${t.text}'`, t);
    });
    if (!this.accept("punct", "!")) return { dtype: dt.text, shape };
    return { dtype: dt.text, shape, quant: this.quant(dt.text) };
  }

  private quant(storage: DType): QuantType {
    this.expect("ident", "quant");
    this.expect("punct", "<");
    const expressed = this.expect("ident").text as ExpressedDType;
    this.expect("punct", ",");
    const g = this.expect("ident");
    let granularity: Granularity;
    if (g.text === "per-axis") {
      this.expect("punct", "(");
      granularity = { kind: "per-axis", axis: this.number() };
      this.expect("punct", ")");
    } else if (g.text === "per-group") {
      this.expect("punct", "(");
      const axis = this.number();
      this.expect("punct", ",");
      granularity = { kind: "per-group", axis, groupSize: this.number() };
      this.expect("punct", ")");
    } else if (g.text === "per-tensor" || g.text === "per-token") granularity = { kind: g.text };
    else return this.fail(`unknown granularity '${g.text}'`, g);
    let scale: Float32Array | null = null;
    let zeroPoint: Int32Array | null = null;
    while (this.accept("punct", ",")) {
      const k = this.expect("ident");
      this.expect("punct", "=");
      if (k.text === "scale") scale = Float32Array.from(this.list(() => this.number()));
      else if (k.text === "zp") zeroPoint = Int32Array.from(this.list(() => this.number()));
      else this.fail(`unknown quant field '${k.text}'`, k);
    }
    this.expect("punct", ">");
    return { storage: storage as StorageDType, expressed, granularity, scale, zeroPoint };
  }

  private tensorData(dtype: DType, dims: readonly Dim[]): Tensor {
    if (!dims.every((d) => typeof d === "number")) this.fail("constant shapes must be static");
    const shape = dims as number[];
    const t = Tensor.zeros(dtype, shape);
    const hex = this.accept("hex");
    if (hex) {
      const bytes = Buffer.from(hex.text, "hex");
      if (bytes.length !== t.byteLength) this.fail(`expected ${t.byteLength} bytes of ${dtype} data, found ${bytes.length}`, hex);
      const d = t.data as Uint8Array;
      new Uint8Array(d.buffer, d.byteOffset, t.byteLength).set(bytes);
      return t;
    }
    const start = this.peek();
    if (dtype === "string") {
      const items = this.list(() => this.expect("string").text);
      if (items.length !== t.size) this.fail(`expected ${t.size} strings, found ${items.length}`, start);
      return new Tensor(dtype, shape, items);
    }
    const items = this.list(() => this.expect("number").text);
    if (items.length !== t.size) this.fail(`expected ${t.size} values, found ${items.length}`, start);
    const d = allocData(dtype, t.size);
    const out = new Tensor(dtype, shape, d);
    items.forEach((s, i) => {
      if (d instanceof BigInt64Array || d instanceof BigUint64Array) (d as BigInt64Array)[i] = BigInt(s);
      else out.set(i, parseFloatToken(s)); // packs i4/u4, rounds f16/bf16
    });
    return out;
  }

  end(): void {
    this.expect("eof");
  }
}

/** Parses text IR (as printed by printGraph); bad text gives a UserError with file:line:col. */
export function parseGraph(text: string, file = "<text>"): Graph {
  const p = new Parser(tokenize(text, file), file);
  const g = p.graph();
  p.end();
  return g;
}

/** Parses a tensor type such as `f32[b,4]` or `i8[4]!quant<f32, per-tensor, scale=[0.5]>`. */
export function parseType(text: string): TensorType {
  const p = new Parser(tokenize(text), "<type>");
  const t = p.type();
  p.end();
  return t;
}
