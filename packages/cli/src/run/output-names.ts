/**
 * File names for graph outputs (`quantpass run` writes `<out>/<file name>.npy`).
 *
 * The rule, applied to each output name in graph order:
 *  1. every character other than A-Z a-z 0-9 `.` `_` `-` becomes `_`
 *     (so `/`, `\`, `:`, spaces and non-ASCII letters never reach the file system);
 *  2. a leading `.` becomes `_` (no hidden files, never `.` or `..`);
 *  3. an empty result becomes `_`; longer than 200 characters is cut to 200;
 *  4. `.npy` is appended;
 *  5. when a name is already taken (compared case-insensitively, for case-insensitive file
 *     systems), `_2`, `_3`, ... is added before `.npy` until it is unique.
 */
export const MAX_STEM = 200;

export function sanitizeStem(name: string): string {
  let s = name.replace(/[^A-Za-z0-9._-]/g, "_");
  if (s.startsWith(".")) s = "_" + s.slice(1);
  if (s === "") s = "_";
  return s.length > MAX_STEM ? s.slice(0, MAX_STEM) : s;
}

/** One file name per output name, in order, unique case-insensitively. */
export function outputFileNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const stem = sanitizeStem(name);
    let file = `${stem}.npy`;
    for (let k = 2; taken.has(file.toLowerCase()); k++) file = `${stem}_${k}.npy`;
    taken.add(file.toLowerCase());
    return file;
  });
}
