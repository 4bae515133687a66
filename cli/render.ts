/**
 * `pctl render <subscription.yaml | catalog/profile@version | DIR | --url URL>`: prints the Flux
 * children a subscription expands to, with the sync hook's own code and no cluster; `--full` goes on
 * to what those children would apply (see `render/full.ts`).
 *
 * The inputs (a subscription file, a catalog reference, a local profile directory or a git URL) all
 * become one ProfileSubscription, so the same code renders them; `pctl diff` reuses it.
 * @module
 */
import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import type { Command } from "commander";
import { stringify } from "yaml";
import { parseProfile } from "../crds/profile.js";
import {
  PROFILE_SUBSCRIPTION_KIND,
  type ProfileSubscription,
  parseProfileSubscription,
} from "../crds/profile-subscription.js";
import { parseYamlAll } from "../crds/yaml.js";
import { createSourcePolicy, sourcePolicyOptionsFromEnv } from "../hooks/sources/policy.js";
import type { ProfileTreeNode, ResolveTreeRequest } from "../hooks/sources/tree.js";
import { openCatalog, pickProfileVersion } from "./catalog/open.js";
import { parseProfileReference } from "./catalog/reference.js";
import { findRepositoryRoot } from "./config.js";
import { type CliContext, contextOf } from "./context.js";
import { UsageError } from "./errors.js";
import { formatData } from "./output.js";
import { collect } from "./parameters.js";
import { typedValue } from "./render/helm-values.js";
import { readObjectStore } from "./render/objects.js";
import { type RenderedSubscription, renderedObjects, renderSubscription } from "./render/subscription.js";
import type { KubeObject } from "./render/substitute.js";
import { readWorkingTree } from "./render/working-tree.js";
import { type CliSources, openSources } from "./sources.js";

export { type RenderedSubscription, renderedObjects, renderSubscription } from "./render/subscription.js";

const run = promisify(execFile);

/** The options `render` and `diff` share: where the input comes from and how far to render. */
export interface RenderInputOptions {
  readonly url?: string;
  readonly branch?: string;
  readonly tag?: string;
  readonly semver?: string;
  readonly commit?: string;
  readonly path?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly targetNamespace?: string;
  readonly param?: string[];
  readonly full?: boolean;
  readonly objects?: string[];
  readonly valuesFromFile?: string[];
  readonly kubeVersion?: string;
}

/** Adds the input and render options of `render` and `diff` to a command. */
export function addRenderOptions(command: Command): Command {
  return command
    .option("--url <url>", "render the profile at this git URL (with --branch, --tag, --semver or --commit)")
    .option("--branch <branch>", "with --url: follow this branch")
    .option("--tag <tag>", "with --url: this tag, such as nginx/v1.2.0")
    .option("--semver <range>", "with --url: the highest tag in this range")
    .option("--commit <sha>", "with --url: this commit")
    .option("--path <dir>", "with --url: the profile's directory in the repository")
    .option("--name <name>", "the subscription's name, which prefixes every child (default: the profile's)")
    .option("--namespace <ns>", "the subscription's namespace (default: the file's, else default)")
    .option("--target-namespace <ns>", "where the artifacts' objects go")
    .option("--param <name=value>", "a parameter of the profile (repeatable)", collect)
    .option(
      "--full",
      "go on like Flux: helm template each HelmRelease, kustomize build each Kustomization",
      false,
    )
    .option(
      "--objects <file>",
      "ConfigMaps and Secrets the cluster would hold, as YAML manifests (repeatable)",
      collect,
    )
    .option(
      "--values-from-file <Kind/name[:key]=file>",
      "one key of a ConfigMap or Secret read from a file; the key defaults to values.yaml (repeatable)",
      collect,
    );
}

/**
 * Reads the input of `render` or `diff` as a subscription: a ProfileSubscription file, a profile
 * directory, a catalog reference, or `--url`.
 *
 * @returns the subscription and, for a directory, the tree read from it
 */
export async function subscriptionFromInput(
  input: string | undefined,
  options: RenderInputOptions,
  ctx: CliContext,
  sources: Pick<CliSources, "resolveTree">,
): Promise<{ subscription: ProfileSubscription; localTree?: ProfileTreeNode }> {
  const parameters = Object.fromEntries(
    (options.param ?? []).map((entry) => {
      const at = entry.indexOf("=");
      if (at <= 0)
        throw new UsageError(`--param ${entry} is not name=value`, {
          hint: "for example --param replicas=3",
        });
      return [entry.slice(0, at), typedValue(entry.slice(at + 1))];
    }),
  );
  const build = (name: string, source: Record<string, unknown>, namespace?: string) =>
    parseProfileSubscription(
      {
        apiVersion: "profiles.pctl.dev/v1alpha1",
        kind: PROFILE_SUBSCRIPTION_KIND,
        metadata: { name: options.name ?? name, namespace: options.namespace ?? namespace ?? "default" },
        spec: {
          source,
          ...(options.targetNamespace !== undefined && { targetNamespace: options.targetNamespace }),
          ...(Object.keys(parameters).length > 0 && { parameters }),
        },
      },
      { source: "command line" },
    );

  if (options.url !== undefined) {
    if (input !== undefined) throw new UsageError("give either an input or --url, not both");
    const { url, branch, tag, semver, commit, path } = options;
    const name = options.name ?? basename(path ?? tag?.split("/")[0] ?? "profile");
    return { subscription: build(name, { url, branch, tag, semver, commit, path }) };
  }
  if (input === undefined) {
    throw new UsageError("nothing to render", {
      hint: "name a subscription file, a profile directory, a catalog reference such as company/nginx@1.2.0, or --url",
    });
  }
  const path = resolve(ctx.cwd, input);
  if (existsSync(path) && statSync(path).isDirectory()) return localProfile(path, build, sources);
  if (existsSync(path)) {
    const documents = parseYamlAll(await readFile(path, "utf8"), { source: input });
    const found = documents.filter((d) => (d as { kind?: unknown })?.kind === PROFILE_SUBSCRIPTION_KIND);
    if (found.length !== 1) {
      throw new UsageError(`${input} holds ${found.length} ProfileSubscriptions; render reads exactly one`, {
        hint: "split the file, or name the one to render in a file of its own",
      });
    }
    const subscription = parseProfileSubscription(found[0], { source: input });
    const metadata = {
      ...subscription.metadata,
      ...(options.name !== undefined && { name: options.name }),
      ...(options.namespace !== undefined && { namespace: options.namespace }),
    };
    return { subscription: { ...subscription, metadata } };
  }
  const reference = parseProfileReference(input, "render");
  const { entry } = await pickProfileVersion(await openCatalog(ctx), reference);
  const ref = entry.tag !== undefined ? { tag: entry.tag } : { commit: entry.commit };
  return { subscription: build(entry.name, { url: entry.url, ...ref, path: entry.path }) };
}

/**
 * A profile directory on disk as the root of a tree; its nested profiles are fetched. The children
 * name the repository's `origin` remote and HEAD commit when it has them, a placeholder otherwise.
 */
async function localProfile(
  dir: string,
  build: (name: string, source: Record<string, unknown>) => ProfileSubscription,
  sources: Pick<CliSources, "resolveTree">,
): Promise<{ subscription: ProfileSubscription; localTree: ProfileTreeNode }> {
  const profile = parseProfile(await readFile(join(dir, "profile.yaml"), "utf8"), {
    source: join(dir, "profile.yaml"),
  });
  const root = findRepositoryRoot(dir);
  const git = async (args: string[]) =>
    root === undefined
      ? undefined
      : (await run("git", args, { cwd: dir }).catch(() => undefined))?.stdout.trim();
  const origin = await git(["remote", "get-url", "origin"]);
  const url = origin?.startsWith("https://") ? origin : `https://local.invalid/${profile.metadata.name}`;
  const commit = (await git(["rev-parse", "HEAD"])) ?? "0".repeat(40);
  const path = root === undefined ? "" : relative(root, dir).split(sep).join("/");
  const files = await readWorkingTree(dir);
  const children = new Map<string, ProfileTreeNode>();
  for (const artifact of profile.spec.artifacts) {
    if (!("profile" in artifact)) continue;
    const {
      url: nestedUrl,
      path: nestedPath,
      branch,
      tag,
      semver,
      commit: nestedCommit,
    } = artifact.profile.source;
    const request = { url: nestedUrl, ref: { branch, tag, semver, commit: nestedCommit }, path: nestedPath };
    children.set(artifact.name, await sources.resolveTree(request));
  }
  const localTree: ProfileTreeNode = {
    identity: `${dir} (working tree)`,
    source: { url, ref: commit, commit, path },
    profile,
    files,
    children,
  };
  return {
    subscription: build(profile.metadata.name, { url, commit, ...(path !== "" && { path }) }),
    localTree,
  };
}

/** Renders the input of `render` or `diff` with the shared options. */
export async function renderInput(
  input: string | undefined,
  options: RenderInputOptions,
  ctx: CliContext,
  sources: Pick<CliSources, "resolveTree">,
  override?: (subscription: ProfileSubscription) => ProfileSubscription,
): Promise<RenderedSubscription> {
  const { subscription, localTree } = await subscriptionFromInput(input, options, ctx, sources);
  const objects = await readObjectStore({
    objectFiles: options.objects ?? [],
    valuesFromFiles: options.valuesFromFile ?? [],
  });
  const target = override ? override(subscription) : subscription;
  const resolveTree = async (request: ResolveTreeRequest) =>
    localTree !== undefined && target === subscription ? localTree : sources.resolveTree(request);
  return ctx.progress.step(`rendering ${target.metadata.name}${options.full ? " (full)" : ""}`, () =>
    renderSubscription(target, {
      sources: { resolveTree },
      resolveCatalog: async (ref, namespace) => {
        const { entry } = await pickProfileVersion(await openCatalog(ctx), {
          namespace,
          catalog: ref.catalog,
          profile: ref.profile,
          ...(ref.version !== undefined && { version: ref.version }),
        });
        return {
          url: entry.url,
          ...(entry.tag !== undefined && { tag: entry.tag }),
          ...(entry.commit !== undefined && { commit: entry.commit }),
          ...(entry.path !== undefined && { path: entry.path }),
        };
      },
      full: options.full ?? false,
      objects,
      policy: createSourcePolicy(sourcePolicyOptionsFromEnv(ctx.env)),
      ...(options.kubeVersion !== undefined && { kubeVersion: options.kubeVersion }),
    }),
  );
}

/** The objects as a YAML stream, each release's objects after a comment naming the release. */
export function formatYamlStream(rendered: RenderedSubscription): string {
  const document = (object: KubeObject) => `---\n${stringify(object, { lineWidth: 0 })}`;
  const children = renderedObjects({ ...rendered, releases: [] });
  const parts = [`# ${rendered.subscription}: Flux children\n`, ...children.map(document)];
  for (const release of rendered.releases) {
    parts.push(
      `# ${release.kind} ${release.name}: ${release.objects.length} objects in ${release.namespace}\n`,
    );
    parts.push(...release.objects.map(document));
  }
  return parts.join("");
}

/** Writes one file per object: `children/<kind>-<name>.yaml` and `<release>/<kind>-[<ns>-]<name>.yaml`. */
export async function writeObjectDirectory(dir: string, rendered: RenderedSubscription): Promise<number> {
  const groups: [string, KubeObject[]][] = [
    ["children", renderedObjects({ ...rendered, releases: [] })],
    ...rendered.releases.map((release): [string, KubeObject[]] => [release.name, release.objects]),
  ];
  let count = 0;
  for (const [group, objects] of groups) {
    await mkdir(join(dir, group), { recursive: true });
    for (const object of objects) {
      const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
      const namespace =
        group === "children" || metadata.namespace === undefined ? "" : `${metadata.namespace}-`;
      const file = `${String(object.kind).toLowerCase()}-${namespace}${metadata.name ?? "unnamed"}.yaml`;
      await writeFile(join(dir, group, file), stringify(object, { lineWidth: 0 }));
      count += 1;
    }
  }
  return count;
}

interface RenderCommandOptions extends RenderInputOptions {
  readonly outputDir?: string;
}

/** Adds `pctl render` to `program`. */
export function register(program: Command): void {
  const command = program
    .command("render")
    .description(
      "print the Flux children a subscription expands to, offline; --full also renders their charts and kustomizations",
    )
    .argument(
      "[input]",
      "a ProfileSubscription file, a profile directory, or a catalog reference such as company/nginx@1.2.0",
    );
  addRenderOptions(command)
    .option("--kube-version <version>", "with --full: the Kubernetes version helm template assumes")
    .option("--output-dir <dir>", "write one file per object instead of printing them")
    .addHelpText(
      "after",
      `
Prints YAML (the default, also -o table) or a JSON List (-o json). --full needs helm and kubectl.

Examples:
  pctl render web-subscription.yaml
  pctl render company/nginx@1.2.0 --full --values-from-file Secret/web-values=values.yaml
  pctl render ./nginx --full --param replicas=3 --output-dir rendered/
  pctl render --url https://git.example.com/org/profiles --tag nginx/v1.2.0 --full`,
    )
    .action(async (input: string | undefined, _options: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const options = cmd.opts<RenderCommandOptions>();
      const sources = openSources(ctx);
      try {
        const rendered = await renderInput(input, options, ctx, sources);
        if (options.outputDir !== undefined) {
          const count = await writeObjectDirectory(resolve(ctx.cwd, options.outputDir), rendered);
          ctx.note(`wrote ${count} objects to ${options.outputDir}`);
        } else if (ctx.format === "json") {
          ctx.stdout.write(
            formatData({ apiVersion: "v1", kind: "List", items: renderedObjects(rendered) }, "json"),
          );
        } else {
          ctx.stdout.write(formatYamlStream(rendered));
        }
      } finally {
        await sources.close();
      }
    });
}
