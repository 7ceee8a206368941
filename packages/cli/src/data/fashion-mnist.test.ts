import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "@quantpass/ir";
import { FASHION_MNIST_DIR_ENV, loadFashionMnistTest, parseDataSpec } from "./fashion-mnist.js";

describe("parseDataSpec", () => {
  it("accepts fashion-mnist and fashion-mnist:N", () => {
    expect(parseDataSpec("fashion-mnist")).toEqual({ name: "fashion-mnist" });
    expect(parseDataSpec("fashion-mnist:1000")).toEqual({ name: "fashion-mnist", limit: 1000 });
  });
  it.each(["mnist", "fashion-mnist:", "fashion-mnist:0", "fashion-mnist:1e3", "fashion-mnist:-5"])("rejects %s", (s) => {
    expect(() => parseDataSpec(s)).toThrow(UserError);
    expect(() => parseDataSpec(s)).toThrow(/^--data /);
  });
});

describe("loadFashionMnistTest", () => {
  afterEach(() => { delete process.env[FASHION_MNIST_DIR_ENV]; });

  it("loads the first N test images and labels", () => {
    const d = loadFashionMnistTest(5);
    expect(d.count).toBe(5);
    expect(d.pixels.length).toBe(5 * 784);
    expect([...d.labels]).toEqual([9, 2, 1, 1, 6]);
    expect(Math.max(...d.pixels)).toBeLessThanOrEqual(255);
    expect(d.pixels.some((p) => p > 0)).toBe(true);
  });

  it("loads all 10,000 by default", () => {
    expect(loadFashionMnistTest().count).toBe(10000);
  });

  it("refuses more images than the set has", () => {
    expect(() => loadFashionMnistTest(10001)).toThrow("the test set has only 10000 images");
  });

  it("tells how to install a missing data set", () => {
    process.env[FASHION_MNIST_DIR_ENV] = "/nonexistent/fmnist";
    expect(() => loadFashionMnistTest(1)).toThrow(UserError);
    expect(() => loadFashionMnistTest(1)).toThrow(/no such file '\/nonexistent\/fmnist\/t10k-images-idx3-ubyte\.gz'.*apt-get install dataset-fashion-mnist/);
  });
});
