import { describe, expect, it } from "vitest";
import { UserError } from "@quantpass/ir";
import { describeConfig, mergeConfigs, parsePtqConfig, ptqConfigJsonSchema, type PtqConfigInput } from "../index.js";

const err = (input: PtqConfigInput | string): string => {
  try {
    parsePtqConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error(`config ${JSON.stringify(input)} was accepted`);
};

describe("PTQ config validation", () => {
  it("fills every default (A16W8, quantize mode)", () => {
    expect(parsePtqConfig({})).toEqual({
      mode: "quantize",
      weight: { dtype: "int8", granularity: "per-channel", group_size: 128, symmetric: true },
      activation: { dtype: "none", granularity: "per-tensor", symmetric: false, observer: "minmax", percentile: 99.99, observe_outputs: false },
      kv_cache: { dtype: "none" },
      outlier_suppression: "none",
      precision_recovery: "none",
      bias_correction: "none",
      calibration: { batches: 0 },
      ops: ["Conv", "Gemm", "MatMul"],
      skip: [],
      policies: [],
    });
    const full = parsePtqConfig("a8w8");
    expect(parsePtqConfig(full)).toEqual(full);
  });

  it("names the field in one-line messages", () => {
    expect(err({ weight: { dtype: "int3" as "int8" } })).toBe(`PTQ config: 'weight.dtype': Invalid option: expected one of "int8"|"int4"`);
    expect(err({ weight: { group_size: 48 as 64 } })).toBe("PTQ config: 'weight.group_size': must be 32, 64, 128");
    expect(err({ activation: { percentile: 40 } })).toMatch(/^PTQ config: 'activation.percentile': Too small: expected number to be >50$/);
    expect(err({ mode: "train" as "deploy", kv_cache: { dtype: "int4" as "int8" } })).toMatch(/^PTQ config: 'mode': .* \(and 1 more problem\)$/);
    expect(err({ weight: { dtypo: "int8" } } as PtqConfigInput)).toBe("PTQ config: unknown field 'weight.dtypo'");
    expect(err({ colour: 1 } as PtqConfigInput)).toBe("PTQ config: unknown field 'colour'");
    expect(err({ policies: [{ match: "a", weight: { dtype: "int2" as "int4" } }] })).toMatch(/^PTQ config: 'policies\[0\]\.weight\.dtype': Invalid option/);
    expect(err(7 as unknown as string)).toBe("PTQ config: expected an object or a preset name, got number");
  });

  it("checks the cross-field rules", () => {
    expect(err({ activation: { dtype: "int8", granularity: "per-token", symmetric: false } })).toMatch(/^PTQ config: 'activation.symmetric': per-token activations are symmetric/);
    expect(err({ preset: "a8w8-dynamic", weight: { dtype: "int4" } })).toBe(
      "PTQ config: 'activation.granularity': per-token activations need int8 per-channel weights (quant_matmul), but the weights are int4 per-channel",
    );
    expect(err({ preset: "a16w8", policies: [{ match: "fc", activation: { dtype: "int8", granularity: "per-token" }, weight: { granularity: "per-group" } }] })).toMatch(
      /^PTQ config: 'policies\[0\]': per-token activations need int8 per-channel weights/,
    );
    expect(err({ policies: [{ match: "(" }] })).toMatch(/^PTQ config: 'policies\[0\]\.match': invalid regular expression '\(': /);
    expect(err({ policies: [{ match: "(a)\\1", skip: true }] })).toMatch(/backreferences and named groups are not supported/);
    expect(err({ policies: [{ match: "(?<n>a)", skip: true }] })).toMatch(/backreferences and named groups are not supported/);
    expect(err({ policies: [{ match: "fc" }] })).toBe("PTQ config: 'policies[0]': the policy changes nothing (give weight, activation or skip: true)");
    expect(err({ policies: [{ match: "fc", skip: true, weight: { dtype: "int4" } }] })).toMatch(/'skip: true' leaves the nodes in float/);
    // Lookbehind is not a named group.
    expect(parsePtqConfig({ policies: [{ match: "(?<=a)b", skip: true }] }).policies).toHaveLength(1);
  });

  it("resolves activation.symmetric: false for per-tensor, true for per-token", () => {
    expect(parsePtqConfig({ activation: { dtype: "int8" } }).activation.symmetric).toBe(false);
    expect(parsePtqConfig({ activation: { dtype: "int8", granularity: "per-token" } }).activation.symmetric).toBe(true);
    expect(parsePtqConfig({ activation: { dtype: "int8", symmetric: true } }).activation.symmetric).toBe(true);
  });
});

describe("presets", () => {
  it("set exactly the fields of their row", () => {
    const pick = (s: string) => {
      const c = parsePtqConfig(s);
      return [c.weight.dtype, c.weight.granularity, c.weight.group_size, c.activation.dtype, c.activation.granularity, c.activation.symmetric, c.kv_cache.dtype].join(" ");
    };
    expect(pick("a16w8")).toBe("int8 per-channel 128 none per-tensor false none");
    expect(pick("a16w4")).toBe("int4 per-group 128 none per-tensor false none");
    expect(pick("a8w8")).toBe("int8 per-channel 128 int8 per-tensor false none");
    expect(pick("a8w8-dynamic")).toBe("int8 per-channel 128 int8 per-token true none");
    expect(pick("c8")).toBe("int8 per-channel 128 none per-tensor false int8");
    expect(parsePtqConfig("a8w8").activation.observe_outputs).toBe(true);
  });

  it("combine left to right; explicit fields win last", () => {
    expect(parsePtqConfig("a16w8+c8").kv_cache.dtype).toBe("int8");
    expect(parsePtqConfig("a16w8+c8").weight.dtype).toBe("int8");
    expect(parsePtqConfig("a8w8 + a16w4").activation.dtype).toBe("none");
    expect(parsePtqConfig("a16w4+a8w8").weight).toMatchObject({ dtype: "int8", granularity: "per-channel" });
    // a8w8-dynamic then a8w8: a8w8 sets granularity and symmetric back.
    expect(parsePtqConfig("a8w8-dynamic+a8w8").activation).toMatchObject({ granularity: "per-tensor", symmetric: false });
    const g64 = parsePtqConfig({ preset: "a16w4", weight: { group_size: 64 }, skip: ["head"] });
    expect(g64.weight).toEqual({ dtype: "int4", granularity: "per-group", group_size: 64, symmetric: true });
    expect(g64.skip).toEqual(["head"]);
    expect(err("a16w8+w3")).toBe("PTQ config: unknown preset 'w3' in 'a16w8+w3' (presets: a16w8, a16w4, a8w8, a8w8-dynamic, c8; combine with '+')");
    expect(err({ preset: 3 } as unknown as PtqConfigInput)).toMatch(/^PTQ config: 'preset': expected a string/);
  });

  it("merge objects key by key and replace arrays", () => {
    expect(mergeConfigs({ a: { x: 1, y: 2 }, l: [1, 2] }, { a: { y: 3 }, l: [9] })).toEqual({ a: { x: 1, y: 3 }, l: [9] });
    const polluted = mergeConfigs({}, JSON.parse('{"__proto__": {"evil": 1}}'));
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
    expect(Object.getPrototypeOf(polluted)).toBe(Object.prototype);
  });
});

describe("fallback", () => {
  const err = (c: unknown) => {
    try {
      parsePtqConfig(c as PtqConfigInput);
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };

  it("is off by default; given, it fills in to=float, sensitivity=leave-one-out and merges over a preset's fields", () => {
    expect(parsePtqConfig("a8w8").fallback).toBeUndefined();
    expect(parsePtqConfig({ preset: "a8w8", fallback: { metric: "top1", target: 0.99 } }).fallback).toEqual({ metric: "top1", target: 0.99, to: "float", sensitivity: "leave-one-out" });
    expect(parsePtqConfig({ preset: "a8w8", fallback: { metric: "sqnr", target: 30, max_layers: 2, to: "a16w8", sensitivity: "local" } }).fallback).toEqual({
      metric: "sqnr",
      target: 30,
      max_layers: 2,
      to: "a16w8",
      sensitivity: "local",
    });
  });

  it("names the bad field", () => {
    expect(err({ preset: "a8w8", fallback: { metric: "top5", target: 1 } })).toMatch(/^PTQ config: 'fallback\.metric': /);
    expect(err({ preset: "a8w8", fallback: { metric: "sqnr" } })).toMatch(/^PTQ config: 'fallback\.target': /);
    expect(err({ preset: "a8w8", fallback: { metric: "top1", target: 1.5 } })).toBe("PTQ config: 'fallback.target': a top1 target is a fraction of agreeing positions in [0, 1], got 1.5");
    expect(err({ preset: "a8w8", fallback: { metric: "sqnr", target: 30, max_layers: 0 } })).toMatch(/^PTQ config: 'fallback\.max_layers': /);
    expect(err({ preset: "a8w8", fallback: { metric: "sqnr", target: 30, sensitivity: "hessian" } })).toMatch(/^PTQ config: 'fallback\.sensitivity': /);
    expect(err({ preset: "a8w8", fallback: { metric: "sqnr", target: 30, extra: 1 } })).toBe("PTQ config: unknown field 'fallback.extra'");
    expect(err({ preset: "a16w8", fallback: { metric: "sqnr", target: 30, to: "a16w8" } })).toMatch(/^PTQ config: 'fallback\.to': a16w8 drops a layer's activation quantization, but no layer quantizes activations/);
  });
});

describe("describeConfig", () => {
  it("lists every field with its default, and the presets", () => {
    const text = describeConfig();
    for (const line of [
      /^ {2}mode +quantize \| deploy; default "quantize"$/m,
      /^ {2}weight\.group_size +32 \| 64 \| 128; default 128$/m,
      /^ {2}activation\.observer +minmax \| moving-average \| percentile \| mse \| histogram; default "minmax"$/m,
      /^ {2}kv_cache\.dtype +int8 \| none; default "none"$/m,
      /^ {2}policies\[\]\.match +string; default \(required\)$/m,
      /^ {2}policies\[\]\.weight\.dtype +int8 \| int4; default \(inherited\)$/m,
      /^ {2}a8w8-dynamic +int8 weights per channel/m,
      /^ {2}fallback\.metric +sqnr \| top1 \| custom; default \(required\)$/m,
      /^ {2}fallback\.to +float \| a16w8; default "float"$/m,
    ])
      expect(text).toMatch(line);
    const schema = ptqConfigJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(["mode", "weight", "activation", "kv_cache", "outlier_suppression", "precision_recovery", "bias_correction", "calibration", "ops", "skip", "policies", "fallback"]);
  });
});
