/**
 * What a child process printed, for everything that runs git, helm, kubectl or pctl itself and reads
 * the answer once the process is done.
 * @module
 */
import type { ChildProcess } from "node:child_process";

/** What a child process printed and how it ended. */
export interface ChildOutput {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit status; `null` when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Resolves with everything `child` printed once it has exited and its streams are closed; rejects
 * when it could not be started. A stream that is not piped reads as `""`.
 */
export function outputOf(child: ChildProcess): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    // Chunks are joined before decoding, so a character split between two chunks stays whole.
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        code,
        signal,
      }),
    );
  });
}
