/**
 * `pctl install`: writes a ProfileSubscription into the GitOps repository, from a catalog entry or
 * straight from a git URL, and with `--create-pr` proposes it as a pull request. Nothing touches the
 * cluster: Flux applies the file once the change is merged.
 * @module
 */

import { relative } from "node:path";
import type { Command } from "commander";
import { API_VERSION } from "../crds/common.js";
import type { Profile, ProfileParameter } from "../crds/profile.js";
import { PROFILE_SUBSCRIPTION_KIND, parseProfileSubscription } from "../crds/profile-subscription.js";
import { normalizeSourceUrl } from "../hooks/sources/policy.js";
import type { CatalogClient } from "./catalog/client.js";
import { openCatalog, pickProfileVersion } from "./catalog/open.js";
import { parseProfileReference } from "./catalog/reference.js";
import { type CliContext, contextOf } from "./context.js";
import { RepositoryError, UsageError } from "./errors.js";
import {
  addPullRequestOptions,
  createPullRequest,
  type PullRequestOptions,
  type PullRequestResult,
  planPullRequest,
  printWithPullRequest,
} from "./gitops/propose.js";
import {
  collect,
  missingRequired,
  type ParameterValue,
  parseParameters,
  readArtifactValues,
} from "./parameters.js";
import { openSources } from "./sources.js";
import { displayPath, outputDirectory, writeSubscription } from "./subscription-files.js";

interface InstallOptions extends PullRequestOptions {
  readonly url?: string;
  readonly branch?: string;
  readonly tag?: string;
  readonly semver?: string;
  readonly path?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly targetNamespace?: string;
  readonly param?: string[];
  readonly values?: string;
  readonly configMap?: string[];
  readonly configSecret?: string[];
  readonly out?: string;
  readonly force: boolean;
}

/** Adds `pctl install` to `program`. */
export function register(program: Command): void {
  const command = program
    .command("install")
    .description("write a ProfileSubscription for a profile into the GitOps repository")
    .argument(
      "[reference]",
      "[<namespace>/]<catalog>/<profile>[@<version or range>]; the latest when no version",
    )
    .option("--url <url>", "install from this git repository instead of a catalog")
    .option("--branch <branch>", "with --url: follow this branch")
    .option("--tag <tag>", "with --url: use this tag, such as nginx/v1.2.0")
    .option("--semver <range>", "with --url: the highest tag matching this range, such as ^1.2")
    .option("--path <dir>", "with --url: the profile's directory in the repository")
    .option("--name <name>", "the subscription's name (default: the profile's name)")
    .option("--namespace <namespace>", "the subscription's namespace", "default")
    .option("--target-namespace <namespace>", "where the profile's objects go (default: the subscription's)")
    .option("--param <name=value>", "a profile parameter; repeatable", collect)
    .option("--values <file>", "YAML mapping artifact names to Helm values")
    .option("--config-map <name>", "a ConfigMap whose keys are parameters; repeatable", collect)
    .option("--config-secret <name>", "a Secret whose keys are parameters; repeatable", collect)
    .option(
      "--out <dir>",
      "where to write <name>/profile-subscription.yaml (default: out of .pctl/config.yaml, else .)",
    )
    .option("--force", "overwrite an existing subscription file", false);
  addPullRequestOptions(command)
    .addHelpText(
      "after",
      `
With --url, give exactly one of --branch, --tag or --semver.

Examples:
  pctl install company/nginx --param hostname=web.example.com
  pctl install company/nginx@^1.2 --name web --namespace team-a --create-pr
  pctl install --url https://github.com/org/profiles --tag nginx/v1.2.0 --out clusters/dev`,
    )
    .action(async (reference: string | undefined, options: InstallOptions, cmd: Command) =>
      install(contextOf(cmd), reference, options),
    );
}

/** The profile being installed, whichever way it was named. */
interface Target {
  readonly profileName: string;
  readonly spec: Record<string, unknown>;
  readonly parameters: readonly ProfileParameter[];
  /** Reads the profile itself, only when its artifacts are needed. */
  readonly profile: () => Promise<Profile>;
  /** How people read it: `company/nginx 1.2.0` or `nginx from <url> tag …`. */
  readonly label: string;
  readonly version: string | undefined;
}

async function install(context: CliContext, reference: string | undefined, options: InstallOptions) {
  checkArguments(reference, options);
  const plan = options.createPr ? await planPullRequest(context, options) : undefined;
  const sources = openSources(context);
  try {
    const target =
      reference !== undefined
        ? await fromCatalog(context, await openCatalog(context), reference, sources)
        : await fromUrl(context, options, sources);
    const parameters = parseParameters(options.param ?? [], target.parameters, target.profileName);
    const parametersFrom = [
      ...(options.configMap ?? []).map((name) => ({ kind: "ConfigMap", name })),
      ...(options.configSecret ?? []).map((name) => ({ kind: "Secret", name })),
    ];
    checkRequired(target, parameters, parametersFrom.length > 0);
    const artifacts = options.values
      ? await readArtifactValues(options.values, await target.profile())
      : undefined;
    const name = options.name ?? target.profileName;
    const subscription = {
      apiVersion: API_VERSION,
      kind: PROFILE_SUBSCRIPTION_KIND,
      metadata: { name, namespace: options.namespace ?? "default" },
      spec: {
        ...target.spec,
        ...(options.targetNamespace && { targetNamespace: options.targetNamespace }),
        ...(Object.keys(parameters).length > 0 && { parameters }),
        ...(parametersFrom.length > 0 && { parametersFrom }),
        ...(artifacts && { artifacts }),
      },
    };
    parseProfileSubscription(subscription, { source: "the subscription pctl would write" });
    const directory = `${outputDirectory(context, options.out)}/${name}`;
    const files = await writeSubscription(
      directory,
      subscription,
      `Installed by pctl: ${target.label}.\nChange the version with \`pctl upgrade ${name}\`.`,
      options.force,
    );
    const shown = files.map((file) => displayPath(context, file));
    let pullRequest: PullRequestResult | undefined;
    if (plan !== undefined) {
      const inRepo = files.map((file) => relative(plan.root, file).split("\\").join("/"));
      if (inRepo.some((file) => file.startsWith("../"))) {
        throw new RepositoryError(`--out ${options.out} is outside the repository at ${plan.root}`, {
          hint: "choose an --out directory inside the GitOps repository",
        });
      }
      pullRequest = await createPullRequest(context, plan, options, {
        files: inRepo,
        slug: `install-${name}`,
        title: `Install ${target.label} as ${subscription.metadata.namespace}/${name}`,
        body: installBody(target, subscription, inRepo),
      });
    }
    printWithPullRequest(
      context,
      {
        data: { files: shown, subscription },
        table: () => ({ columns: ["FILE"], rows: shown.map((f) => [f]) }),
      },
      pullRequest,
    );
  } finally {
    await sources.close();
  }
}

function checkArguments(reference: string | undefined, options: InstallOptions): void {
  const refs = (["branch", "tag", "semver"] as const).filter((key) => options[key] !== undefined);
  if (reference !== undefined && options.url !== undefined) {
    throw new UsageError(`both a catalog profile (${reference}) and --url were given`, {
      hint: "install either from a catalog (`pctl install company/nginx`) or from a URL (`pctl install --url URL --tag TAG`), not both",
    });
  }
  if (reference === undefined && options.url === undefined) {
    throw new UsageError("which profile? neither <catalog>/<profile> nor --url was given", {
      hint: "run `pctl search` to find one, then `pctl install <catalog>/<profile>[@<version>]`",
    });
  }
  if (reference !== undefined && (refs.length > 0 || options.path !== undefined)) {
    throw new UsageError("--branch, --tag, --semver and --path go with --url only", {
      hint: "pick a catalog version with <catalog>/<profile>@<version> instead",
    });
  }
  if (options.url !== undefined && refs.length !== 1) {
    throw new UsageError(
      refs.length === 0
        ? "--url needs a ref: --branch, --tag or --semver"
        : `--url takes one ref, not ${refs.map((r) => `--${r}`).join(" and ")}`,
      { hint: "tags are recommended: `--tag nginx/v1.2.0`, or `--semver ^1.2` to follow a range" },
    );
  }
}

async function fromCatalog(
  context: CliContext,
  catalog: CatalogClient,
  reference: string,
  sources: ReturnType<typeof openSources>,
): Promise<Target> {
  const ref = parseProfileReference(reference, "install");
  const { details, entry } = await pickProfileVersion(catalog, ref);
  const profile = async () => {
    const at = entry.commit ? { commit: entry.commit } : { tag: entry.tag ?? `v${entry.version}` };
    return (await sources.profileAt(entry.url, at, entry.path)).profile;
  };
  const parameters = entry.parameters ?? (await profile()).spec.parameters ?? [];
  // An exact pick is pinned, so every later version arrives as a reviewed upgrade; a range stays a range.
  const version = ref.version ?? entry.version;
  if (ref.version !== undefined && ref.version !== entry.version) {
    context.note(`${ref.version} picks ${entry.version} today; the subscription follows the range`);
  }
  return {
    profileName: details.name,
    parameters,
    profile,
    version: entry.version,
    label: `${details.catalog}/${details.name} ${entry.version}`,
    spec: {
      catalog: { catalog: details.catalog, namespace: details.namespace, profile: details.name, version },
    },
  };
}

async function fromUrl(
  context: CliContext,
  options: InstallOptions,
  sources: ReturnType<typeof openSources>,
): Promise<Target> {
  const url = options.url!;
  const ref = options.branch
    ? { branch: options.branch }
    : options.tag
      ? { tag: options.tag }
      : { semver: options.semver! };
  const { profile, resolved } = await sources.profileAt(url, ref, options.path);
  const where = options.branch
    ? `branch ${options.branch}`
    : `${resolved.ref}${options.semver ? ` (${options.semver})` : ""}`;
  await noteCatalogMembership(context, url, resolved.path, profile.metadata.name);
  return {
    profileName: profile.metadata.name,
    parameters: profile.spec.parameters ?? [],
    profile: async () => profile,
    version: resolved.version,
    label: `${profile.metadata.name} from ${url} ${where}`,
    spec: { source: { url, ...ref, ...(options.path !== undefined && { path: options.path }) } },
  };
}

// Installs by URL work, but only catalog installs are approved and tracked: say which this is.
async function noteCatalogMembership(context: CliContext, url: string, path: string, name: string) {
  if (context.catalog === undefined) {
    context.note(
      `${name} is not installed from a catalog (none is configured): updates are found from its tags`,
    );
    return;
  }
  const catalog = await openCatalog(context);
  const same = (a: string) => {
    try {
      return normalizeSourceUrl(new URL(a)) === normalizeSourceUrl(new URL(url));
    } catch {
      return a === url;
    }
  };
  const hits = (await catalog.search({ q: name })).filter(
    (hit) => hit.name === name && same(hit.url) && (hit.path ?? "") === (path === "." ? "" : path),
  );
  if (hits.length === 0) {
    context.note(
      `${name} from ${url} is not in any catalog of ${catalog.source}: installing it from the URL`,
    );
  } else {
    const hit = hits[0]!;
    context.note(
      `${name} is also in catalog ${hit.namespace}/${hit.catalog}: \`pctl install ${hit.catalog}/${name}\` installs it from there`,
    );
  }
}

function checkRequired(
  target: Target,
  parameters: Record<string, ParameterValue>,
  hasParametersFrom: boolean,
) {
  const missing = missingRequired(target.parameters, parameters);
  if (missing.length > 0 && !hasParametersFrom) {
    throw new UsageError(`profile ${target.profileName} requires ${missing.join(", ")}`, {
      hint: `pass ${missing.map((m) => `--param ${m}=…`).join(" ")}, or name a ConfigMap or Secret holding them with --config-map/--config-secret`,
    });
  }
}

function installBody(
  target: Target,
  subscription: { metadata: { name: string; namespace: string } },
  files: string[],
) {
  return [
    `Installs **${target.label}** as the ProfileSubscription \`${subscription.metadata.namespace}/${subscription.metadata.name}\`.`,
    "",
    "Files:",
    ...files.map((file) => `- \`${file}\``),
    "",
    "Flux applies the subscription once this is merged. Opened by `pctl install`.",
  ].join("\n");
}
