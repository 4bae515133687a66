/**
 * Builds a kustomize directory the way kustomize-controller does: the files go to a scratch
 * directory, the directory's kustomization file is generated when there is none (every YAML file,
 * and every sub-directory holding its own kustomization), the Kustomization's `targetNamespace` and
 * `patches` are written into it, then `kubectl kustomize` builds it and `postBuild.substitute` runs
 * on each object of the result.
 * @module
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative } from "node:path";
import { stringify } from "yaml";
import { parseYaml, parseYamlAll } from "../../crds/yaml.js";
import type { PlannedPatch } from "../../synth/plan.js";
import { runTool, ToolFailedError } from "../tools/run.js";
import { type KubeObject, substituteText, substitutionDisabled } from "./substitute.js";

/** The names kustomize recognizes for a kustomization file, in its order of preference. */
export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** What a Flux Kustomization adds to the directory it builds. */
export interface KustomizeBuildOptions {
  /** `spec.targetNamespace`: the kustomization's `namespace`. [default: none] */
  readonly targetNamespace?: string | undefined;
  /** `spec.patches`, appended to the kustomization's own. [default: none] */
  readonly patches?: readonly PlannedPatch[] | undefined;
  /** `spec.postBuild.substitute`; nothing is substituted when empty, as in Flux. [default: none] */
  readonly substitute?: Readonly<Record<string, string>> | undefined;
}

/**
 * Builds `path` of a tree of files (keyed by `/`-separated relative paths) and returns its objects.
 *
 * @throws ToolFailedError with kustomize's message when the build fails; MissingToolError without kubectl
 * @example
 * const objects = await buildKustomization(files, "manifests/config", { targetNamespace: "web" });
 */
export async function buildKustomization(
  files: ReadonlyMap<string, Uint8Array>,
  path: string,
  options: KustomizeBuildOptions = {},
): Promise<KubeObject[]> {
  const scratch = await mkdtemp(join(tmpdir(), "pctl-kustomize-"));
  try {
    await writeTree(scratch, files);
    const dir = join(scratch, path);
    await mkdir(dir, { recursive: true });
    await writeKustomization(dir, options);
    let stdout: string;
    try {
      ({ stdout } = await runTool("kubectl", [
        "kustomize",
        "--load-restrictor",
        "LoadRestrictionsNone",
        dir,
      ]));
    } catch (error) {
      if (!(error instanceof ToolFailedError)) throw error;
      const reason = kubectlMessage(String(error.data.stderr ?? ""));
      throw new ToolFailedError(`kustomize build of ${path} failed: ${reason}`, {
        data: { ...error.data, reason },
        cause: error,
      });
    }
    return postBuild(stdout, options.substitute ?? {});
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The reason kubectl gives, without its log prefix: `error: x` gives `x`, and a klog line
 * `E1122 ... "command failed" err="x"` gives `x`.
 */
export function kubectlMessage(stderr: string): string {
  const klog = /\berr="((?:[^"\\]|\\.)*)"/.exec(stderr);
  if (klog?.[1] !== undefined) return JSON.parse(`"${klog[1]}"`) as string;
  return stderr.trim().replace(/^error: /, "");
}

/** Writes a tree of files below `root`. */
export async function writeTree(root: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  for (const [file, content] of files) {
    const target = join(root, ...file.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

/**
 * Writes the kustomization file of `dir` as kustomize-controller leaves it before the build: the
 * existing one (or a generated one) with `namespace` and `patches` set from the Kustomization.
 */
export async function writeKustomization(dir: string, options: KustomizeBuildOptions): Promise<void> {
  const existing = await findKustomizationFile(dir);
  const kustomization = (
    existing === undefined
      ? await generateKustomization(dir)
      : ((parseYaml(await readFile(join(dir, existing), "utf8"), { source: existing }) ?? {}) as Record<
          string,
          unknown
        >)
  ) as Record<string, unknown>;
  if (options.targetNamespace !== undefined && options.targetNamespace !== "") {
    kustomization.namespace = options.targetNamespace;
  }
  if (options.patches !== undefined && options.patches.length > 0) {
    const own = Array.isArray(kustomization.patches) ? (kustomization.patches as unknown[]) : [];
    kustomization.patches = [
      ...own,
      ...options.patches.map(({ patch, target }) => ({ patch, ...(target && { target }) })),
    ];
  }
  await writeFile(join(dir, existing ?? KUSTOMIZATION_FILES[0]), stringify(kustomization, { lineWidth: 0 }));
}

async function findKustomizationFile(dir: string): Promise<string | undefined> {
  const names = new Set(await readdir(dir));
  return KUSTOMIZATION_FILES.find((name) => names.has(name));
}

/** What kustomize-controller generates for a directory of plain YAML. */
async function generateKustomization(dir: string): Promise<Record<string, unknown>> {
  const resources: string[] = [];
  const scan = async (current: string): Promise<void> => {
    const entries = (await readdir(current, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const full = join(current, entry.name);
      const rel = relative(dir, full).split("\\").join(posix.sep);
      if (entry.isDirectory()) {
        if ((await findKustomizationFile(full)) !== undefined) resources.push(rel);
        else await scan(full);
      } else if (/\.ya?ml$/.test(entry.name)) {
        resources.push(rel);
      }
    }
  };
  await scan(dir);
  return { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources };
}

/** Splits kustomize's output into objects and substitutes each one, as Flux does after the build. */
export function postBuild(output: string, substitute: Readonly<Record<string, string>>): KubeObject[] {
  const limits = { source: "kustomize output", maxBytes: 64 * 1024 * 1024 };
  const objects = parseYamlAll(output, limits) as KubeObject[];
  if (Object.keys(substitute).length === 0) return objects;
  return objects.map((object) => {
    if (substitutionDisabled(object)) return object;
    return parseYaml(substituteText(stringify(object, { lineWidth: 0 }), substitute), limits) as KubeObject;
  });
}
