/**
 * Layer policy shared by the PTQ passes: which nodes are quantizable. A node is chosen when
 * its op is in `ops`, its name is not in `skip`, it matches the `include` regex (when
 * given) and does not match the `exclude` regex (when given).
 */
import { UserError, type Graph, type Node } from "@quantpass/ir";
import { z } from "zod";

/** Accepts a single bare value where a list is expected (`ops=Conv` in pipeline text). */
const list = z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(z.string()));

export const LayerPolicyOptions = {
  /** Ops to quantize (default Conv, Gemm, MatMul). */
  ops: list.default(["Conv", "Gemm", "MatMul"]),
  /** Node names never quantized (default none). */
  skip: list.default([]),
  /** Regex over node names: only matching nodes are quantized (default "": all). */
  include: z.string().default(""),
  /** Regex over node names: matching nodes are not quantized (default "": none). */
  exclude: z.string().default(""),
};

export interface LayerPolicy {
  readonly ops: readonly string[];
  readonly skip: readonly string[];
  readonly include: string;
  readonly exclude: string;
}

function regex(src: string, option: string): RegExp | undefined {
  if (!src) return undefined;
  try {
    return new RegExp(src);
  } catch (e) {
    throw new UserError(`option '${option}': invalid regular expression '${src}': ${(e as Error).message}`, option);
  }
}

/** The nodes of g the policy selects, in graph order. */
export function selectNodes(g: Graph, p: LayerPolicy): Node[] {
  const inc = regex(p.include, "include");
  const exc = regex(p.exclude, "exclude");
  const skip = new Set(p.skip);
  return g.nodes.filter((n) => p.ops.includes(n.op) && !skip.has(n.name) && (!inc || inc.test(n.name)) && !(exc && exc.test(n.name)));
}
