/**
 * Where subscriptions live in the GitOps repository, and writing them: `<out>/<name>/profile-subscription.yaml`
 * beside a `kustomization.yaml` that lists it, so a Flux Kustomization over the tree applies it.
 * @module
 */

import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { isMap, isSeq, parseDocument, stringify } from "yaml";
import type { CliContext } from "./context.js";
import { UsageError } from "./errors.js";

/** The subscription's file name inside its directory. */
export const SUBSCRIPTION_FILE = "profile-subscription.yaml";

/**
 * The directory subscriptions go to: `--out` from the working directory, else `out` of
 * `.pctl/config.yaml` from the repository root, else the working directory.
 */
export function outputDirectory(context: CliContext, out: string | undefined): string {
  if (out !== undefined) return resolve(context.cwd, out);
  if (context.config.out !== undefined && context.repositoryRoot !== undefined) {
    return resolve(context.repositoryRoot, context.config.out);
  }
  return context.cwd;
}

/** `path` as people read it: from the repository root when inside one, else from the working directory. */
export function displayPath(context: CliContext, path: string): string {
  const base = context.repositoryRoot ?? context.cwd;
  const rel = relative(base, path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel.split(sep).join("/");
}

/**
 * Writes the subscription and lists it in the directory's `kustomization.yaml` (created if missing,
 * otherwise edited in place so its other entries and comments stay).
 *
 * @returns the files written, as absolute paths.
 * @throws UsageError when the subscription exists and `force` is false.
 */
export async function writeSubscription(
  directory: string,
  subscription: object,
  header: string,
  force: boolean,
): Promise<string[]> {
  const file = join(directory, SUBSCRIPTION_FILE);
  if (existsSync(file) && !force) {
    throw new UsageError(`${file} already exists`, {
      hint: "change its version with `pctl upgrade`, choose another --name, or pass --force to overwrite it",
    });
  }
  await mkdir(dirname(file), { recursive: true });
  const comment = header
    .split("\n")
    .map((line) => `# ${line}`.trimEnd())
    .join("\n");
  await writeFile(file, `${comment}\n${stringify(subscription, { lineWidth: 0 })}`);
  const kustomization = join(directory, "kustomization.yaml");
  await listInKustomization(kustomization, SUBSCRIPTION_FILE);
  return [file, kustomization];
}

async function listInKustomization(path: string, resource: string): Promise<void> {
  if (!existsSync(path)) {
    await writeFile(
      path,
      stringify({
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: [resource],
      }),
    );
    return;
  }
  const document = parseDocument(await readFile(path, "utf8"));
  const resources = document.get("resources", true);
  if (isSeq(resources)) {
    if (resources.items.some((item) => String((item as { value?: unknown }).value ?? item) === resource))
      return;
    resources.add(document.createNode(resource));
  } else if (isMap(document.contents)) {
    document.set("resources", document.createNode([resource]));
  } else {
    throw new UsageError(`${path} is not a kustomization`, {
      hint: "fix or remove the file, then install again",
    });
  }
  await writeFile(path, document.toString());
}
