/** Real Fashion-MNIST test images as an npy input for the fmnist-cnn model (test support). */
import { writeNpy } from "@quantpass/formats";
import { loadFashionMnistTest } from "../data/fashion-mnist.js";

/** Writes the first `n` test images as f32 [n,1,28,28] (pixels / 255) to `path`. */
export async function writeImagesNpy(path: string, n: number): Promise<Float32Array> {
  const d = loadFashionMnistTest(n);
  const data = Float32Array.from(d.pixels, (p) => p / 255);
  await writeNpy(path, { dtype: "f32", dims: [n, 1, 28, 28], data });
  return data;
}
