/** Registry of cpu interpreter kernels, one per IR op. */
import type { AttrValue, Graph, Node, Tensor, TensorType } from "@quantpass/ir";

export interface KernelContext {
  readonly node: Node;
  /** Attribute value or the op table default. */
  attr<T extends AttrValue>(name: string): T;
  has(name: string): boolean;
  /** Declared IR types of the inputs (quantized values carry their QuantType here). */
  readonly inputTypes: readonly (TensorType | undefined)[];
  /** Runs a subgraph (If branch) with the current scope visible; returns its outputs in order. */
  runSubgraph(g: Graph): Tensor[];
  /** Throws a UserError naming the node. */
  fail(msg: string): never;
}

/** Inputs are undefined for omitted optional inputs. Kernels never mutate their inputs. */
export type Kernel = (inputs: readonly (Tensor | undefined)[], ctx: KernelContext) => Tensor[];

const KERNELS = new Map<string, Kernel>();

export function defineKernel(op: string, k: Kernel): void {
  if (KERNELS.has(op)) throw new Error(`cpu kernel for ${op} is defined twice`);
  KERNELS.set(op, k);
}

export function getKernel(op: string): Kernel | undefined {
  return KERNELS.get(op);
}

export function supportedOps(): string[] {
  return [...KERNELS.keys()].sort();
}
