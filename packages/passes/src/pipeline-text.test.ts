import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatPipeline, parsePipeline, type OptionValue, type PipelineStep } from "./pipeline-text.js";

const opt = (text: string, key = "k"): OptionValue => parsePipeline(text)[0]!.options[key]!;

/** Characters that stress the quoting: escapes, regex syntax, delimiters, controls, non-ASCII. */
const tricky = fc.constantFrom(..."\\\"'.,=()[]{}$^|*+?/ \n\t\b\f\r\u0000u0abnx-é😀");
const arbString = fc.oneof(fc.string({ unit: tricky, maxLength: 12 }), fc.string({ unit: "binary", maxLength: 8 }), fc.stringMatching(/^[a-z][a-z0-9 ._-]{0,8}$/));
const arbValue: fc.Arbitrary<OptionValue> = fc.letrec<{ v: OptionValue }>((tie) => ({
  v: fc.oneof({ depthSize: "small" }, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), arbString, fc.array(tie("v"), { maxLength: 3 })),
})).v;
const arbSteps = fc.array(
  fc.record({
    pass: fc.oneof(fc.stringMatching(/^[a-z]+(-[a-z]+)?$/), fc.string({ unit: tricky, minLength: 1, maxLength: 6 })),
    options: fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z]{1,6}$/), fc.string({ unit: tricky, minLength: 1, maxLength: 6 })), arbValue, { maxKeys: 3 }),
  }),
  { minLength: 1, maxLength: 4 },
);

/** Quoted-string bodies as users write them: JSON escapes, regex escapes, plain text. */
const arbQuotedBody = fc
  .array(fc.oneof(fc.constantFrom("\\.", "\\\\", '\\"', "\\n", "\\t", "\\/", "\\u0041", "\\u00e9", "\\b", "\\d", "\\s", "\\(", "\\u12", "\\q", "\\[", "\\{"), fc.stringMatching(/^[a-z0-9 .,=()[\]{}|^$*+?-]{1,4}$/)), { maxLength: 8 })
  .map((a) => a.join(""));
/** Bare regexes: literals, escapes and balanced groups (with ',' inside), never starting with '['. */
const arbBareRegex: fc.Arbitrary<string> = fc
  .letrec<{ r: string }>((tie) => ({
    r: fc.oneof(
      { depthSize: "small" },
      fc.stringMatching(/^[a-z0-9_.^$|*+?:-]{1,4}$/),
      fc.constantFrom("\\.", "\\d", "\\(", "\\]", "\\,", "\\\\"),
      tie("r").map((x) => `(${x})`),
      tie("r").map((x) => `(${x}|${x})`),
      fc.stringMatching(/^[a-z0-9(){},.^-]{0,4}$/).map((x) => `[${x}]`),
      fc.tuple(fc.nat(9), fc.nat(9)).map(([a, b]) => `{${a},${b}}`),
      fc.array(tie("r"), { minLength: 2, maxLength: 3 }).map((xs) => xs.join("")),
    ),
  }))
  .r.map((r) => `x${r}`);

describe("pipeline text", () => {
  it("parses passes with typed options", () => {
    expect(parsePipeline('insert-observers{method=minmax},calibrate,smoothquant{alpha=0.5, layers=[a,"b c"], on=true}')).toEqual([
      { pass: "insert-observers", options: { method: "minmax" } },
      { pass: "calibrate", options: {} },
      { pass: "smoothquant", options: { alpha: 0.5, layers: ["a", "b c"], on: true } },
    ]);
  });

  it("format and parse round-trip (any strings, names and nested lists)", () => {
    fc.assert(fc.property(arbSteps, (steps: PipelineStep[]) => {
      expect(parsePipeline(formatPipeline(steps))).toEqual(steps);
    }), { numRuns: 500 });
  });

  it("print(parse(t)) parses back to parse(t) for quoted regexes and bare regexes", () => {
    fc.assert(fc.property(arbQuotedBody, arbBareRegex, (body, bare) => {
      const t = `insert-observers{include="${body}",match=${bare},n=[${bare},"${body}"]},dce`;
      const steps = parsePipeline(t);
      expect(steps[0]!.options.match).toBe(bare);
      expect(parsePipeline(formatPipeline(steps))).toEqual(steps);
    }), { numRuns: 500 });
  });

  it("keeps -0", () => {
    expect(parsePipeline(formatPipeline([{ pass: "p", options: { k: -0 } }]))[0]!.options.k).toBe(-0);
  });

  it("reports syntax errors naming the flag and column", () => {
    expect(() => parsePipeline("a{b=1", "--passes")).toThrow(/--passes: expected ',' or '}' at column 6/);
  });
});

describe("pipeline text quoting", () => {
  it("round-trips values with backslashes and quotes", () => {
    const steps = [{ pass: "insert-observers", options: { include: "layers\\.0,1", name: 'a "b"' } }];
    expect(formatPipeline(steps)).toBe('insert-observers{include="layers\\\\.0,1",name="a \\"b\\""}');
    expect(parsePipeline(formatPipeline(steps))).toEqual(steps);
  });

  it("keeps backslash pairs JSON does not define, as written", () => {
    expect(opt(String.raw`p{k="^p2o\.Conv"}`)).toBe(String.raw`^p2o\.Conv`);
    expect(opt(String.raw`p{k="\d+\s\(x\)\q"}`)).toBe(String.raw`\d+\s\(x\)\q`);
    // \b stays a regex word boundary; a backspace is written \u0008 (and printed so).
    expect(opt(String.raw`p{k="\bConv\b"}`)).toBe(String.raw`\bConv\b`);
    expect(formatPipeline([{ pass: "p", options: { k: "a\bb" } }])).toBe(String.raw`p{k="a\u0008b"}`);
    // \u without four hex digits is not an escape either.
    expect(opt(String.raw`p{k="\u12"}`)).toBe(String.raw`\u12`);
  });

  it("gives \\\", \\\\, \\n, \\t, \\/ and \\uXXXX their JSON meaning", () => {
    expect(opt(String.raw`p{k="a\"b\\c\nd\te\/f\u0041\u00e9"}`)).toBe('a"b\\c\nd\te/fAé');
    expect(opt(String.raw`p{k="\\."}`)).toBe(String.raw`\.`);
  });

  it("takes regexes unquoted: escapes, alternation, groups, classes and quantifiers", () => {
    expect(opt(String.raw`p{include=^p2o\.(Conv\.(33|34))$}`, "include")).toBe(String.raw`^p2o\.(Conv\.(33|34))$`);
    expect(parsePipeline(String.raw`p{match=layer[0-9]{1,2}$, skip=(?=a)b[\]}),]+ ,x=1},dce`)).toEqual([
      { pass: "p", options: { match: "layer[0-9]{1,2}$", skip: String.raw`(?=a)b[\]}),]+`, x: 1 } },
      { pass: "dce", options: {} },
    ]);
    expect(opt(String.raw`p{k=[a\,b,c(d,e)]}`)).toEqual([String.raw`a\,b`, "c(d,e)"]);
  });

  it("tells the user to quote what a bare value cannot hold", () => {
    const hint = /quote values with spaces, quotes or unbalanced brackets: key="\.\.\."/;
    for (const [t, re] of [
      ["p{k=a(b", /unbalanced '\(' in value 'a\(b'/],
      ["p{k=a(b}", /'}' closes '\(' in value 'a\(b}'/],
      ["p{k=a)b}", /unbalanced '\)' in value 'a\)'/],
      ["p{k=a(b]}", /'\]' closes '\(' in value 'a\(b\]'/],
      ["p{k=a=b}", /'=' in value 'a='/],
      ['p{k=a"b"}', /'"' inside value 'a"'/],
      ["p{k=ab\\", /value 'ab\\' ends with a lone '\\'/],
    ] as const) {
      expect(() => parsePipeline(t)).toThrow(re);
      expect(() => parsePipeline(t)).toThrow(hint);
    }
    expect(() => parsePipeline('p{k="abc}')).toThrow(/unterminated string/);
    expect(() => parsePipeline("p{k=[0-9]+}")).toThrow(/expected ',' or '}'/);
  });
});
