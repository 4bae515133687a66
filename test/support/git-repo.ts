/**
 * Builds git repositories for tests and benches with the machine's git CLI: a bare repository (what the
 * test server serves) plus a work tree that commits are made in and pushed from, so a test can move a
 * branch or add a tag after a client has already fetched.
 * @module
 */
import { execFile, spawn } from "node:child_process";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { outputOf } from "../../cli/child-output.js";

const run = promisify(execFile);

/** A file's new content: text or bytes, a symlink, or `null` to delete it. */
export type FileChange = string | Uint8Array | { readonly symlink: string } | null;

/** Files to change in one commit, keyed by path relative to the repository root. */
export type FileMap = Readonly<Record<string, FileChange>>;

/** Environment that makes commits reproducible and keeps the user's git config out of the way. */
const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "pctl test",
  GIT_AUTHOR_EMAIL: "test@pctl.dev",
  GIT_COMMITTER_NAME: "pctl test",
  GIT_COMMITTER_EMAIL: "test@pctl.dev",
  GIT_TERMINAL_PROMPT: "0",
};

/** Runs git with the test environment and returns its trimmed stdout. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd, env: gitEnv, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** A bare repository with a work tree beside it; every change is pushed to the bare one at once. */
export class TestRepository {
  private constructor(
    /** Name under the server root, without `.git`. */
    readonly name: string,
    /** Path of the bare repository the server serves. */
    readonly bareDir: string,
    private readonly workDir: string,
  ) {}

  /**
   * Creates an empty bare repository `<root>/<name>.git` whose default branch is `main`.
   * Reachable commits may be asked for by id, as on GitHub and GitLab, so `commit:` refs work.
   */
  static async create(root: string, name: string): Promise<TestRepository> {
    const bareDir = join(root, `${name}.git`);
    const workDir = join(root, ".work", name);
    await mkdir(dirname(bareDir), { recursive: true });
    await git(root, ["init", "--quiet", "--bare", "--initial-branch=main", bareDir]);
    await git(bareDir, ["config", "uploadpack.allowReachableSHA1InWant", "true"]);
    await git(bareDir, ["config", "uploadpack.allowFilter", "true"]);
    await mkdir(workDir, { recursive: true });
    await git(workDir, ["init", "--quiet", "--initial-branch=main"]);
    await git(workDir, ["remote", "add", "origin", bareDir]);
    return new TestRepository(name, bareDir, workDir);
  }

  /**
   * Applies `files` on top of `branch` (created from the current commit if new), commits and pushes.
   * @returns the new commit id
   */
  async commit(files: FileMap, { branch = "main", message = "change" } = {}): Promise<string> {
    await this.checkout(branch);
    for (const [path, change] of Object.entries(files)) {
      const target = join(this.workDir, path);
      await rm(target, { force: true, recursive: true });
      if (change === null) continue;
      await mkdir(dirname(target), { recursive: true });
      if (typeof change === "object" && "symlink" in change) await symlink(change.symlink, target);
      else await writeFile(target, change);
    }
    await git(this.workDir, ["add", "--all"]);
    await git(this.workDir, ["commit", "--quiet", "--allow-empty", "-m", message]);
    await git(this.workDir, ["push", "--quiet", "--force", "origin", `HEAD:refs/heads/${branch}`]);
    return git(this.workDir, ["rev-parse", "HEAD"]);
  }

  /** Tags `ref` (default: the tip of `main`), annotated when a message is given, and pushes the tag. */
  async tag(
    name: string,
    { ref = "main", message }: { ref?: string; message?: string } = {},
  ): Promise<string> {
    const args =
      message === undefined ? ["tag", "-f", name, ref] : ["tag", "-f", "-a", "-m", message, name, ref];
    await git(this.workDir, args);
    await git(this.workDir, ["push", "--quiet", "--force", "origin", `refs/tags/${name}`]);
    return git(this.workDir, ["rev-parse", `${name}^{commit}`]);
  }

  /** Points `branch` at `ref` (a commit, tag or branch) and pushes it, creating or moving it. */
  async branch(branch: string, ref = "main"): Promise<string> {
    const commit = await git(this.workDir, ["rev-parse", `${ref}^{commit}`]);
    await git(this.workDir, ["update-ref", `refs/heads/${branch}`, commit]);
    await git(this.workDir, ["reset", "--quiet", "--hard"]);
    await git(this.workDir, ["push", "--quiet", "--force", "origin", `${commit}:refs/heads/${branch}`]);
    return commit;
  }

  /**
   * Feeds a `git fast-import` stream into the work repository and pushes every branch and tag it made:
   * the quick way to build a history of thousands of commits.
   */
  async fastImport(stream: string): Promise<void> {
    const child = spawn("git", ["fast-import", "--quiet"], { cwd: this.workDir, env: gitEnv });
    const output = outputOf(child);
    child.stdin.end(stream);
    const { code, stderr } = await output;
    if (code !== 0) throw new Error(`git fast-import failed: ${stderr}`);
    await git(this.workDir, [
      "push",
      "--quiet",
      "--force",
      "origin",
      "refs/heads/*:refs/heads/*",
      "refs/tags/*",
    ]);
    await git(this.workDir, ["reset", "--quiet", "--hard", "main"]);
  }

  /** Resolves a ref of the served repository to its commit id. */
  revParse(ref: string): Promise<string> {
    return git(this.bareDir, ["rev-parse", `${ref}^{commit}`]);
  }

  private async checkout(branch: string): Promise<void> {
    const verify = (ref: string) =>
      git(this.workDir, ["rev-parse", "--verify", "--quiet", ref]).catch(() => "");
    if ((await verify(`refs/heads/${branch}`)) !== "") {
      await git(this.workDir, ["checkout", "--quiet", branch]);
    } else if ((await verify("HEAD")) === "") {
      // An empty repository has no commit to branch from: the first commit starts the branch.
      await git(this.workDir, ["symbolic-ref", "HEAD", `refs/heads/${branch}`]);
    } else {
      await git(this.workDir, ["checkout", "--quiet", "-b", branch]);
    }
  }
}
