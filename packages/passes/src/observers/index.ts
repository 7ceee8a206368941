/**
 * Observer methods by name. A method spec is the `method` attribute of an `observe`
 * node: `minmax`, `moving-average`, `mse`, `histogram`, `percentile` or `percentile:P`
 * (P in (50, 100], default 99.99).
 */
import { UserError } from "@quantpass/ir";
import { EntropyObserver } from "./entropy.js";
import { MinMaxObserver } from "./minmax.js";
import { MovingAverageObserver } from "./moving-average.js";
import { MseObserver } from "./mse.js";
import { DEFAULT_PERCENTILE, PercentileObserver } from "./percentile.js";
import type { Observer } from "./types.js";

export const OBSERVER_METHODS = ["minmax", "moving-average", "percentile", "mse", "histogram"] as const;
export type ObserverMethod = (typeof OBSERVER_METHODS)[number];

/** The `method` attribute for a method and its parameter. */
export function methodSpec(method: ObserverMethod, percentile = DEFAULT_PERCENTILE): string {
  return method === "percentile" && percentile !== DEFAULT_PERCENTILE ? `percentile:${percentile}` : method;
}

/** A fresh accumulator for a method spec; unknown specs are a UserError naming the observer. */
export function createObserver(spec: string, observerName = "?"): Observer {
  const [method, param] = spec.split(":", 2) as [string, string | undefined];
  const bad = (why: string): never => { throw new UserError(`observer '${observerName}': ${why}`, observerName); };
  if (param !== undefined && method !== "percentile") bad(`method '${method}' takes no parameter ('${spec}')`);
  switch (method) {
    case "minmax": return new MinMaxObserver();
    case "moving-average": return new MovingAverageObserver();
    case "mse": return new MseObserver();
    case "histogram": return new EntropyObserver();
    case "percentile": {
      const p = param === undefined ? DEFAULT_PERCENTILE : Number(param);
      if (!(p > 50 && p <= 100)) bad(`percentile must be a number in (50, 100], got '${param}'`);
      return new PercentileObserver(p);
    }
    default: return bad(`unknown observer method '${method}' (methods: ${OBSERVER_METHODS.join(", ")})`);
  }
}

export * from "./types.js";
export { Histogram, HISTOGRAM_BINS } from "./histogram.js";
export { MinMaxObserver, MovingAverageObserver, MseObserver, PercentileObserver, EntropyObserver, DEFAULT_PERCENTILE };
