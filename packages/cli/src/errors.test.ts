import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { FormatError } from "@quantpass/formats";
import { UserError, VerifyError } from "@quantpass/ir";
import { describeFailure, oneLine } from "./errors.js";

describe("describeFailure", () => {
  it("maps UserError and its subclasses to one line, exit 2", () => {
    expect(describeFailure(new UserError("cannot read 'x.onnx': no such file"))).toEqual({
      text: "quantpass: error: cannot read 'x.onnx': no such file\n",
      code: 2,
    });
    expect(describeFailure(new VerifyError("node 'n1': bad\nmore")).text).toBe("quantpass: error: node 'n1': bad more\n");
  });

  it("maps FormatError (not a UserError subclass) to exit 2", () => {
    const r = describeFailure(new FormatError("truncated protobuf", "m.onnx"));
    expect(r).toEqual({ text: "quantpass: error: m.onnx: truncated protobuf\n", code: 2 });
  });

  it("maps commander usage errors to exit 2 and --help to exit 0", () => {
    expect(describeFailure(new CommanderError(1, "commander.unknownOption", "error: unknown option '--x'"))).toEqual({
      text: "quantpass: error: unknown option '--x'\n",
      code: 2,
    });
    expect(describeFailure(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"))).toEqual({ text: "", code: 0 });
  });

  it("treats anything else as a bug: stack trace, exit 1", () => {
    const e = new TypeError("x is undefined");
    const r = describeFailure(e);
    expect(r.code).toBe(1);
    expect(r.text).toContain("bug in quantpass");
    expect(r.text).toContain("TypeError: x is undefined");
    expect(r.text).toContain("errors.test.ts");
  });

  it("oneLine folds newlines and drops commander's prefix", () => {
    expect(oneLine("error: a\n  b\r\nc")).toBe("a b c");
  });
});
