import { describe, expect, it } from "vitest";
import { asFormatError, FormatError } from "./errors.js";

describe("FormatError", () => {
  it("prefixes the file and keeps the message on one line", () => {
    const e = new FormatError("tensor 'a\nb\x00': bad", "m.onnx");
    expect(e.name).toBe("FormatError");
    expect(e.file).toBe("m.onnx");
    expect(e.message).toBe("m.onnx: tensor 'a b\\x00': bad");
    expect(new FormatError("x").message).toBe("x");
    expect(new FormatError("y".repeat(5000)).message.length).toBe(1000);
  });

  it("wraps foreign errors, keeping FormatErrors as they are", () => {
    const fe = new FormatError("inner", "a");
    expect(asFormatError(fe, "b", "what")).toBe(fe);
    const wrapped = asFormatError(new RangeError("index out of range"), "m.onnx", "decode");
    expect(wrapped).toBeInstanceOf(FormatError);
    expect(wrapped.message).toBe("m.onnx: decode: index out of range");
  });
});
