/**
 * How the CLI reports failures: one exit code per error family, one "error:" line, one hint.
 *
 * Exit codes are part of the CLI's contract (docs/cli/README.md lists them): scripts branch on
 * them, so a code never changes meaning once released.
 * @module
 */

import { isPctlError, PctlError, type PctlErrorOptions } from "../crds/errors.js";

/** The exit codes of every verb. */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** The command ran and found something to report: `outdated` found updates, `diff` found changes. */
  Findings: 1,
  /** The command line or an input file is wrong: a missing argument, a bad flag, an unknown parameter. */
  Usage: 2,
  /** A profile, version, catalog or subscription that was named does not exist. */
  NotFound: 3,
  /** A git source, the catalog API or a provider's API could not be reached or failed. */
  Unavailable: 4,
  /** Credentials were refused or missing. */
  Auth: 5,
  /** The source policy refused a URL (scheme, loopback, link-local) or a path. */
  Policy: 6,
  /** A profile cannot be used as it is (invalid profile.yaml, a cycle, a limit). */
  InvalidProfile: 7,
  /** The working directory is not a usable GitOps repository (not a git repository, no remote, dirty). */
  Repository: 8,
  /** A bug in pctl: the message is worth reporting. */
  Internal: 70,
} as const;

/** A CLI failure with the next step the user should take. */
export interface CliErrorOptions extends PctlErrorOptions {
  /** One sentence naming what to do next, printed after the error. */
  readonly hint?: string;
}

/** An error of the CLI's own, carrying the next step the user should take. */
abstract class CliError extends PctlError {
  readonly hint: string | undefined;
  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, options);
    this.hint = options.hint;
  }
}

/** A wrong command line: missing or conflicting arguments, a value that does not parse. */
export class UsageError extends CliError {
  static override readonly code = "Usage";
  static override readonly status = 400;
  static override readonly failure = "stalled";
}

/** The GitOps repository cannot be used: not a git repository, no remote, nothing to commit. */
export class RepositoryError extends CliError {
  static override readonly code = "Repository";
  static override readonly status = 409;
  static override readonly failure = "stalled";
}

const EXIT_BY_CODE: Record<string, number> = {
  Usage: ExitCode.Usage,
  InvalidInput: ExitCode.Usage,
  NotFound: ExitCode.NotFound,
  SourceUnavailable: ExitCode.Unavailable,
  AuthenticationFailed: ExitCode.Auth,
  PolicyViolation: ExitCode.Policy,
  InvalidProfile: ExitCode.InvalidProfile,
  Cycle: ExitCode.InvalidProfile,
  LimitExceeded: ExitCode.InvalidProfile,
  Repository: ExitCode.Repository,
};

// Default hints per family, used when the thrower had nothing more specific to say.
const HINT_BY_CODE: Record<string, string> = {
  Usage: "run the command with --help to see its arguments",
  InvalidInput: "fix the input named above; run the command with --help to see the expected form",
  NotFound: "run `pctl search` to list the profiles and versions the catalog knows",
  SourceUnavailable: "check the URL and your network, then run the command again",
  AuthenticationFailed:
    "set a token (GITHUB_TOKEN, GITLAB_TOKEN, GITEA_TOKEN or PCTL_GIT_TOKEN) or configure a git credential helper",
  PolicyViolation:
    "use an https:// URL; set PCTL_ALLOW_HTTP=true or PCTL_ALLOW_LOOPBACK=true only for local work",
  InvalidProfile: "run `pctl validate` on the profile to see every problem",
  Cycle: "remove the loop between the profiles or artifacts named above",
  LimitExceeded: "make the input smaller or split it",
  Repository: "run the command from inside your GitOps repository (a git clone with a remote)",
};

/** The exit code for any thrown value. */
export function exitCodeFor(error: unknown): number {
  if (isPctlError(error)) return EXIT_BY_CODE[error.code] ?? ExitCode.Internal;
  return ExitCode.Internal;
}

/** The hint for any thrown value: the thrower's own, or the default of its family. */
export function hintFor(error: unknown): string | undefined {
  if (error instanceof CliError && error.hint !== undefined) return error.hint;
  if (isPctlError(error)) {
    const fromData = error.data.hint;
    if (typeof fromData === "string") return fromData;
    return HINT_BY_CODE[error.code];
  }
  return "this is a bug in pctl; please report it with the command you ran";
}

/**
 * Prints `error: <message>` and `hint: <next step>` on `stderr` and returns the exit code.
 *
 * @example
 * process.exitCode = reportError(err, process.stderr);
 */
export function reportError(error: unknown, stderr: { write(text: string): unknown }): number {
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`error: ${message}\n`);
  const hint = hintFor(error);
  if (hint) stderr.write(`hint: ${hint}\n`);
  if (!isPctlError(error) && error instanceof Error && process.env.PCTL_DEBUG === "true") {
    stderr.write(`${error.stack ?? ""}\n`);
  }
  return exitCodeFor(error);
}
