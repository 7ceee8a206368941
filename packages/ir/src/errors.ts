/**
 * Typed errors. `UserError` marks bad input (a file, node, flag or value the
 * user supplied); the CLI maps it to exit code 2 and prints its one-line message.
 * Anything else escaping to the CLI is a bug in quantpass.
 */
export class UserError extends Error {
  override readonly name: string = "UserError";
  constructor(
    message: string,
    /** What the error is about: a file path, node name or flag. */
    readonly subject?: string,
  ) {
    super(message);
  }
}

/** The graph is not well formed; message names the node. */
export class VerifyError extends UserError {
  override readonly name = "VerifyError";
}

/** An op the IR or a backend does not know. */
export class UnsupportedOpError extends UserError {
  override readonly name = "UnsupportedOpError";
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
