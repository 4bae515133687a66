/**
 * Runs `helm` or `kubectl` as a child process and collects its output. One place decides how the
 * binaries are found and how their failures read.
 * @module
 */
import { spawn } from "node:child_process";
import { InvalidProfileError } from "../../crds/errors.js";
import { outputOf } from "../child-output.js";
import { type LocateToolOptions, locateTool, type ToolName } from "./binaries.js";

/**
 * helm or kubectl ran and failed; `data.stderr` holds what it said. Its code stays `InvalidProfile`
 * (a chart or kustomization that does not build), which decides the CLI's exit code and hint.
 */
export class ToolFailedError extends InvalidProfileError {}

/** Options of {@link runTool}. */
export interface RunToolOptions extends LocateToolOptions {
  /** The working directory. [default: the current one] */
  readonly cwd?: string;
  /** Extra environment on top of `process.env`. [default: none] */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Says what was being done, as the start of an error message. [default: the command line] */
  readonly what?: string;
}

/** What a tool printed. */
export interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `name args...` and resolves with its output when it exits with 0.
 *
 * @throws MissingToolError when the binary cannot be found; ToolFailedError (with its stderr in
 *   the message) when it exits with another status
 * @example
 * const { stdout } = await runTool("kubectl", ["kustomize", dir]);
 */
export async function runTool(
  name: ToolName,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolOutput> {
  const binary = await locateTool(name, options);
  const child = spawn(binary, args, {
    cwd: options.cwd,
    env: { ...(options.env ?? process.env), ...options.extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { stdout, stderr, code, signal } = await outputOf(child);
  if (code === 0) return { stdout, stderr };
  const what = options.what ?? `${name} ${args.join(" ")}`;
  const status = signal === null ? `exit status ${code}` : `signal ${signal}`;
  const detail = stderr.trim() || stdout.trim();
  throw new ToolFailedError(`${what} failed (${status}): ${detail}`, {
    data: { tool: name, args: [...args], code, stdout, stderr },
  });
}
