/**
 * The pass contract. A pass is data plus a pure `run`: it returns a new Graph and
 * never mutates its input; a pass that changes nothing returns the same object.
 */
import type { Executor, Graph, Stage, Tensor } from "@quantpass/ir";
import type { z } from "zod";

/** Calibration samples: each maps graph input names to tensors (first axis = batch). */
export interface CalibrationData {
  readonly size: number;
  batches(): AsyncIterable<Readonly<Record<string, Tensor>>> | Iterable<Readonly<Record<string, Tensor>>>;
}

export interface PassContext {
  /** Runs graphs for passes that need values (calibration); supplied by the caller. */
  readonly executor?: Executor;
  readonly data?: CalibrationData;
  /** Progress of long passes (calibration batches). */
  progress?(done: number, total: number, label: string): void;
  /** Counts recorded by the pass (rules matched, nodes rewritten); the manager reports them. */
  count(key: string, n?: number): void;
}

export interface PassDef<O extends z.ZodType = z.ZodType> {
  /** kebab-case; also the name in pipelines and on the CLI. */
  readonly name: string;
  readonly summary: string;
  /** zod schema of the options; its defaults are the documented defaults. */
  readonly options: O;
  /** Stages the input graph may be at (undefined: any). */
  readonly requires?: readonly Stage[];
  /** Stage of the output graph (undefined: unchanged). */
  readonly ensures?: Stage;
  /** Running the pass twice gives the same graph as running it once. */
  readonly idempotent?: boolean;
  run(graph: Graph, options: z.output<O>, ctx: PassContext): Graph | Promise<Graph>;
}

const PASSES = new Map<string, PassDef>();

/** Declares a pass and registers it under its name (plugins call this too). */
export function definePass<O extends z.ZodType>(def: PassDef<O>): PassDef<O> {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(def.name)) throw new Error(`pass name '${def.name}' must be kebab-case`);
  if (PASSES.has(def.name)) throw new Error(`pass '${def.name}' is defined twice`);
  PASSES.set(def.name, def as unknown as PassDef);
  return def;
}

export function getPass(name: string): PassDef | undefined {
  return PASSES.get(name);
}

export function allPasses(): PassDef[] {
  return [...PASSES.values()].sort((a, b) => a.name.localeCompare(b.name));
}
