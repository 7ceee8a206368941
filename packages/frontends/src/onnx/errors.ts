/** Errors of the ONNX frontend: every message is one line naming the file (and node). */
import { UnsupportedOpError } from "@quantpass/ir";

/** The model's default-domain opset is outside what the frontend converts (9..21). */
export class UnsupportedOpsetError extends UnsupportedOpError {
  constructor(message: string, subject?: string) {
    super(message, subject);
    Object.defineProperty(this, "name", { value: "UnsupportedOpsetError" });
  }
}

/** Oldest and newest default-domain (ai.onnx) opsets the frontend lowers. */
export const MIN_OPSET = 9;
export const MAX_OPSET = 21;

/** `file: message`, or the message alone when no file is known. */
export function inFile(file: string | undefined, msg: string): string {
  return file ? `${file}: ${msg}` : msg;
}
