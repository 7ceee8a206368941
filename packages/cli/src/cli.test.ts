import { describe, expect, it } from "vitest";
import { errorLines, quantpass } from "./testing/harness.js";

const COMMANDS = ["inspect", "run", "convert", "eval", "quantize"];

describe("quantpass (program)", () => {
  it("--help lists every command and exits 0", () => {
    const r = quantpass(["--help"]);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, "m"));
    expect(r.stderr).toBe("");
  });

  it.each(COMMANDS)("%s --help has a description and examples", (c) => {
    const r = quantpass([c, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: quantpass ${c} `, "m"));
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain(`$ quantpass ${c} `);
  });

  it("--version prints the version", () => {
    const r = quantpass(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("an unknown flag is a usage error: exit 2, one line", () => {
    const r = quantpass(["inspect", "m.onnx", "--bogus"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual(["quantpass: error: unknown option '--bogus'"]);
    expect(r.stdout).toBe("");
  });

  it("a misspelt flag gets a suggestion on the same line", () => {
    const r = quantpass(["inspect", "m.onnx", "--jsn"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual(["quantpass: error: unknown option '--jsn' (Did you mean --json?)"]);
  });

  it("an unknown command is a usage error", () => {
    const r = quantpass(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toMatch(/^quantpass: error: unknown command 'frobnicate'/);
  });

  it("a missing required option is a usage error", () => {
    const r = quantpass(["run", "m.onnx", "--input", "x=a.npy"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual(["quantpass: error: required option '-o, --out <dir>' not specified"]);
  });

  it("a missing argument is a usage error", () => {
    const r = quantpass(["convert", "a.onnx"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual(["quantpass: error: missing required argument 'out'"]);
  });

  it("extra arguments are a usage error", () => {
    const r = quantpass(["inspect", "a.onnx", "b.onnx"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
  });

  it("a bad option value is a usage error naming the option", () => {
    const r = quantpass(["eval", "m.onnx", "--data", "fashion-mnist", "--batch", "0"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toContain("--batch");
  });

  it("no command prints the help on stderr and exits 2", () => {
    const r = quantpass([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: quantpass");
  });
});
