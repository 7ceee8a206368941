/**
 * The one error type of @quantpass/formats. Every decode failure of every codec is a
 * FormatError whose message is a single line: `<file>: <what is wrong>` when the file is
 * known, `<what is wrong>` otherwise.
 */
export class FormatError extends Error {
  override name = "FormatError";

  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(oneLine(file ? `${file}: ${message}` : message));
  }
}

/** Throws a FormatError; a `never`-returning shorthand for validation code. */
export function fail(message: string, file?: string): never {
  throw new FormatError(message, file);
}

/**
 * Runs `fn` and turns anything it throws that is not already a FormatError (RangeError from
 * a short buffer, TypeError from garbage, an fs error) into a FormatError about `file`.
 */
export function guard<T>(fn: () => T, file: string | undefined, what: string): T {
  try {
    return fn();
  } catch (e) {
    throw asFormatError(e, file, what);
  }
}

/** Async variant of {@link guard}. */
export async function guardAsync<T>(fn: () => Promise<T>, file: string | undefined, what: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asFormatError(e, file, what);
  }
}

export function asFormatError(e: unknown, file: string | undefined, what: string): FormatError {
  if (e instanceof FormatError) return e;
  return new FormatError(`${what}: ${describe(e)}`, file);
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${code} ${e.message}` : e.message;
  }
  return String(e);
}

/** Newlines become spaces and other control characters \xNN escapes (names may be garbage). */
function oneLine(s: string): string {
  const flat = s
    .replace(/\s*[\r\n]+\s*/g, " ")
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return flat.length > 1000 ? `${flat.slice(0, 997)}...` : flat;
}
