/**
 * PyTorch from the bench: Debian's python3-torch (1.13) under /usr/bin/python3, driven as a
 * long-lived child process (bench/torch/<script>.py) over stdin/stdout, one command a line
 * and one JSON reply a line, so that its runs can be timed round-robin with ours.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

export const PYTHON = "/usr/bin/python3";
export const TORCH_MISSING = "pytorch: not installed (apt-get install python3-torch libopenblas0-pthread)";

/** Whether a failure to start a server means that python3 or torch is not installed (rather than a bug). */
export function torchMissing(e: unknown): boolean {
  return /No module named '?torch|ENOENT/.test(String(e));
}

export type Reply = Record<string, unknown>;

export interface TorchServer {
  /** torch.__version__ */
  readonly version: string;
  /** Sends one command line, resolves with its JSON reply; an {"error"} reply rejects. */
  call(command: string): Promise<Reply>;
  close(): Promise<void>;
}

/**
 * Starts bench/torch/<script> and waits for its {"ready": true, "torch": version} line (the
 * script imports torch first: this is the `python3 -c "import torch"` check; see torchMissing).
 */
export async function startTorchServer(script: string): Promise<TorchServer> {
  const path = fileURLToPath(new URL(`../torch/${script}`, import.meta.url));
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON, ["-u", path], { stdio: ["pipe", "pipe", "pipe"] });
  let buffered = "";
  let stderr = "";
  const waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  const failAll = (e: Error) => {
    for (const w of waiting.splice(0)) w.reject(e);
  };
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const w = waiting.shift();
      if (!w) continue;
      let reply: Reply;
      try {
        reply = JSON.parse(line) as Reply;
      } catch {
        w.reject(new Error(`${script}: not JSON: ${line.slice(0, 200)}`));
        continue;
      }
      if (typeof reply.error === "string") w.reject(new Error(`${script}: ${reply.error}`));
      else w.resolve(reply);
    }
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => {
    child.on("exit", (code) => {
      failAll(new Error(`${script} exited with code ${code}: ${stderr.trim().split("\n").pop() ?? ""}`));
      resolve();
    });
    child.on("error", (e) => {
      failAll(new Error(`${PYTHON}: ${e.message}`)); // e.g. spawn ENOENT
      resolve();
    });
  });
  const next = () => new Promise<Reply>((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = await next();
  return {
    version: String(ready.torch),
    call(command) {
      const p = next();
      child.stdin.write(command + "\n");
      return p;
    },
    async close() {
      if (child.exitCode === null && child.pid !== undefined) {
        child.stdin.end("quit\n");
        await exited;
      }
    },
  };
}
