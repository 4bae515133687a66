/**
 * The Profile kind: the `profile.yaml` file at the root of a profile's directory in git. It is read,
 * never installed, so its schema is strict: a typo in a hand-written file is reported, not dropped.
 *
 * The legacy `weave.works/v1alpha1` ProfileDefinition is read too and normalized into the same
 * model (see `profile-definition.ts`), so nothing after {@link parseProfile} knows the difference.
 * @module
 */

import semver from "semver";
import * as z from "zod";
import {
  API_VERSION,
  DnsLabelSchema,
  exactlyOneOf,
  GitSourceRefSchema,
  type ParseOptions,
  parseWithSchema,
  RelativePathSchema,
  SemverRangeSchema,
  ValuesSchema,
} from "./common.js";
import { InvalidInputError, InvalidProfileError } from "./errors.js";
import { isProfileDefinition, profileDefinitionToProfile } from "./profile-definition.js";
import { parseYaml } from "./yaml.js";

export type { GitSourceRef } from "./common.js";

/** The types a profile parameter can take; `string` when left out. */
export const PARAMETER_TYPES = ["string", "integer", "number", "boolean"] as const;

const fitsType: Record<(typeof PARAMETER_TYPES)[number], (value: unknown) => boolean> = {
  string: (value) => typeof value === "string",
  integer: (value) => Number.isInteger(value),
  number: (value) => typeof value === "number",
  boolean: (value) => typeof value === "boolean",
};

/**
 * An exposed value of a profile. Its name is what `${name}` refers to in artifact values, so it is
 * limited to letters, digits and `_`.
 */
export const ProfileParameterSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: "must start with a letter or '_' and hold only letters, digits and '_'",
    }),
    description: z.string().optional(),
    type: z.enum(PARAMETER_TYPES).default("string"),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    required: z.boolean().optional(),
  })
  .superRefine((parameter, ctx) => {
    if (parameter.default !== undefined && !fitsType[parameter.type](parameter.default)) {
      ctx.addIssue({
        code: "custom",
        path: ["default"],
        message: `default ${JSON.stringify(parameter.default)} is not of type ${parameter.type}`,
      });
    }
    if (parameter.required === true && parameter.default !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["required"],
        message: "a required parameter cannot have a default; drop one of them",
      });
    }
  });

/** An exposed value of a profile. */
export type ProfileParameter = z.infer<typeof ProfileParameterSchema>;

// Stage one holds every field check and picks the form with a message a person can act on;
// stage two only narrows the already valid object to one of the three forms for TypeScript.
const ChartFieldsSchema = z
  .strictObject({
    path: RelativePathSchema.optional().describe("A chart directory inside this profile's directory."),
    url: z
      .string()
      .regex(/^(https?|oci):\/\/\S+$/, { error: "must be an https://, http:// or oci:// URL" })
      .optional(),
    name: z.string().min(1).optional().describe("The chart's name in a Helm repository."),
    version: SemverRangeSchema.optional().describe(
      "A chart version or semver range; the latest when left out.",
    ),
  })
  .superRefine((chart, ctx) => {
    if (chart.path !== undefined) {
      for (const key of ["url", "name", "version"] as const) {
        if (chart[key] !== undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: `a local chart (path) takes no ${key}` });
        }
      }
    } else if (chart.url === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "set path (a chart in this profile) or url (a Helm repository or an oci:// registry)",
      });
    } else if (chart.url.startsWith("oci://")) {
      if (chart.name !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["name"],
          message: "an oci:// url names the chart itself; drop name",
        });
      }
    } else if (chart.name === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["name"],
        message: "a Helm repository chart needs the chart's name",
      });
    }
  });

const LocalChartSchema = z.strictObject({ path: z.string() });
const HelmRepositoryChartSchema = z.strictObject({
  url: z.string().regex(/^https?:\/\//),
  name: z.string(),
  version: z.string().optional(),
});
const OciChartSchema = z.strictObject({ url: z.string().regex(/^oci:\/\//), version: z.string().optional() });

/** A Helm chart: local (`path`), from a Helm repository (`url` + `name`), or from an OCI registry. */
export const ChartSchema = ChartFieldsSchema.pipe(
  z.union([LocalChartSchema, HelmRepositoryChartSchema, OciChartSchema]),
);

/** A Helm chart in one of its three forms. */
export type Chart = z.infer<typeof ChartSchema>;
/** A chart directory inside the profile's directory. */
export type LocalChart = z.infer<typeof LocalChartSchema>;
/** A chart served by a Helm repository (`index.yaml`). */
export type HelmRepositoryChart = z.infer<typeof HelmRepositoryChartSchema>;
/** A chart stored as an OCI artifact. */
export type OciChart = z.infer<typeof OciChartSchema>;

/** The three ways to name a chart. */
export type ChartForm = "local" | "helm-repository" | "oci";

/** Which form a chart takes. */
export function chartForm(chart: Chart): ChartForm {
  if ("path" in chart) return "local";
  return "name" in chart ? "helm-repository" : "oci";
}

/** True for a chart inside the profile's directory. */
export function isLocalChart(chart: Chart): chart is LocalChart {
  return chartForm(chart) === "local";
}

/** True for a chart from a Helm repository. */
export function isHelmRepositoryChart(chart: Chart): chart is HelmRepositoryChart {
  return chartForm(chart) === "helm-repository";
}

/** True for a chart from an OCI registry. */
export function isOciChart(chart: Chart): chart is OciChart {
  return chartForm(chart) === "oci";
}

/** The objects a Flux Kustomization patch applies to (Flux's `kustomize.Selector`). */
const PatchTargetSchema = z.strictObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  annotationSelector: z.string().optional(),
  labelSelector: z.string().optional(),
});

/** Raw YAML or a kustomization inside the profile's directory, with optional Flux patches. */
export const KustomizeSchema = z.strictObject({
  path: RelativePathSchema.describe("A directory inside this profile's directory."),
  patches: z
    .array(z.strictObject({ patch: z.string().min(1), target: PatchTargetSchema.optional() }))
    .optional()
    .describe("Flux Kustomization patches: strategic merge or JSON 6902, inline."),
});

/** A nested profile, fetched from git like a subscription's source. */
export const NestedProfileSchema = z.strictObject({ source: GitSourceRefSchema });

/** The artifact kinds, in the order they are reported. */
export const ARTIFACT_KINDS = ["chart", "kustomize", "profile"] as const;

/** What an artifact installs. */
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

const kustomizeShape = {
  name: DnsLabelSchema,
  dependsOn: z.array(z.strictObject({ name: z.string().min(1) })).optional(),
};
const artifactShape = { ...kustomizeShape, values: ValuesSchema.optional() };

const ArtifactFieldsSchema = exactlyOneOf(
  z.strictObject({
    ...artifactShape,
    chart: ChartSchema.optional(),
    kustomize: KustomizeSchema.optional(),
    profile: NestedProfileSchema.optional(),
  }),
  ARTIFACT_KINDS,
).superRefine((artifact, ctx) => {
  if (artifact.kustomize !== undefined && artifact.values !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["values"],
      message: "values apply to chart and profile artifacts; a kustomize artifact takes patches",
    });
  }
});

type ArtifactFields = z.output<typeof ArtifactFieldsSchema>;
type ArtifactBase = Omit<ArtifactFields, ArtifactKind | "values">;

/** An artifact that installs a Helm chart. */
export type ChartArtifact = ArtifactBase &
  Pick<ArtifactFields, "values"> &
  Required<Pick<ArtifactFields, "chart">>;
/** An artifact that applies a directory of YAML with a Flux Kustomization. */
export type KustomizeArtifact = ArtifactBase & Required<Pick<ArtifactFields, "kustomize">>;
/** An artifact that installs another profile. */
export type NestedProfileArtifact = ArtifactBase &
  Pick<ArtifactFields, "values"> &
  Required<Pick<ArtifactFields, "profile">>;

/**
 * One artifact of a profile: exactly one of a Helm chart, a kustomize directory or a nested profile.
 * `values` are Helm values for a chart, and the nested profile's parameters for a profile. The
 * output is narrowed to one of the three shapes, so `"chart" in artifact` tells them apart.
 */
export const ProfileArtifactSchema = ArtifactFieldsSchema.transform(
  (artifact): ChartArtifact | KustomizeArtifact | NestedProfileArtifact => {
    const { chart, kustomize, profile, values, ...base } = artifact;
    if (chart) return { ...base, ...(values && { values }), chart };
    if (kustomize) return { ...base, kustomize };
    return { ...base, ...(values && { values }), profile: profile! };
  },
);

/** One artifact of a profile. */
export type ProfileArtifact = z.infer<typeof ProfileArtifactSchema>;

/** What an artifact installs. */
export function artifactKind(artifact: ProfileArtifact): ArtifactKind {
  if ("chart" in artifact) return "chart";
  return "kustomize" in artifact ? "kustomize" : "profile";
}

/** A prerequisite such as `kubernetes >=1.28`: a component name, a space, then a semver range. */
export const PrerequisiteSchema = z.string().refine((value) => parsePrerequisite(value) !== undefined, {
  error: "must be a component and a semver range, such as 'kubernetes >=1.28'",
});

/** Splits a prerequisite into its component (lower case) and semver range. */
export function parsePrerequisite(value: string): { component: string; range: string } | undefined {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s+(\S.*)$/.exec(value.trim());
  if (!match) return undefined;
  const [, component, range] = match as unknown as [string, string, string];
  return semver.validRange(range) === null ? undefined : { component: component.toLowerCase(), range };
}

const ProfileSpecSchema = z
  .strictObject({
    description: z.string().min(1, { error: "required: a short description of the profile" }),
    maintainer: z.string().optional(),
    prerequisites: z.array(PrerequisiteSchema).optional(),
    parameters: z.array(ProfileParameterSchema).optional(),
    artifacts: z.array(ProfileArtifactSchema).min(1, { error: "a profile needs at least one artifact" }),
  })
  .superRefine((spec, ctx) => {
    reportDuplicates(spec.parameters ?? [], "parameters", ctx);
    reportDuplicates(spec.artifacts, "artifacts", ctx);
    const names = new Set(spec.artifacts.map((artifact) => artifact.name));
    spec.artifacts.forEach((artifact, index) => {
      artifact.dependsOn?.forEach((dependency, position) => {
        const path = ["artifacts", index, "dependsOn", position, "name"];
        if (dependency.name === artifact.name) {
          ctx.addIssue({
            code: "custom",
            path,
            message: `artifact ${artifact.name} cannot depend on itself`,
          });
        } else if (!names.has(dependency.name)) {
          ctx.addIssue({
            code: "custom",
            path,
            message: `no artifact named ${dependency.name} in this profile`,
          });
        }
      });
    });
    const loop = dependencyLoop(spec.artifacts);
    if (loop) {
      ctx.addIssue({
        code: "custom",
        path: ["artifacts"],
        message: `artifacts depend on each other in a loop: ${loop.join(" -> ")}`,
      });
    }
  });

function reportDuplicates(items: readonly { name: string }[], field: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.name)) {
      ctx.addIssue({ code: "custom", path: [field, index, "name"], message: `duplicate name ${item.name}` });
    }
    seen.add(item.name);
  });
}

/** The first dependency loop found among artifacts, as names ending where they started. */
function dependencyLoop(artifacts: readonly ProfileArtifact[]): string[] | undefined {
  const edges = new Map(artifacts.map((a) => [a.name, (a.dependsOn ?? []).map((d) => d.name)]));
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): string[] | undefined => {
    const start = trail.indexOf(name);
    if (start !== -1) return [...trail.slice(start), name];
    if (done.has(name)) return undefined;
    for (const next of edges.get(name) ?? []) {
      if (next === name) continue;
      const loop = visit(next, [...trail, name]);
      if (loop) return loop;
    }
    done.add(name);
    return undefined;
  };
  for (const artifact of artifacts) {
    const loop = visit(artifact.name, []);
    if (loop) return loop;
  }
  return undefined;
}

/** The `profiles.pctl.dev/v1alpha1` Profile, as written in `profile.yaml`. */
export const ProfileSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, {
    error: `must be ${API_VERSION} (or weave.works/v1alpha1 with kind ProfileDefinition)`,
  }),
  kind: z.literal("Profile", {
    error: "must be Profile (or ProfileDefinition with apiVersion weave.works/v1alpha1)",
  }),
  metadata: z.strictObject({
    name: DnsLabelSchema.describe("The profile's name; equals its directory in a multi-profile repository."),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: ProfileSpecSchema,
});

/** A profile, read from `profile.yaml` in either its current or its legacy form. */
export type Profile = z.infer<typeof ProfileSchema>;

/**
 * Reads a `profile.yaml`: safe YAML, then the current or the legacy form, then one normalized
 * {@link Profile}.
 *
 * @throws InvalidProfileError listing every problem as `spec.artifacts[1].chart.path: message`.
 * @throws LimitExceededError when the file is too large or abuses YAML aliases.
 * @example
 * const profile = parseProfile(await readFile("nginx/profile.yaml", "utf8"), { source: "nginx/profile.yaml" });
 */
export function parseProfile(text: string, options: ParseOptions = {}): Profile {
  let document: unknown;
  try {
    document = parseYaml(text, { source: options.source });
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new InvalidProfileError(error.message, { data: error.data, cause: error });
    }
    throw error;
  }
  return profileFromDocument(document, options);
}

/** Like {@link parseProfile}, for a document that is already parsed. */
export function profileFromDocument(document: unknown, options: ParseOptions = {}): Profile {
  const current = isProfileDefinition(document) ? profileDefinitionToProfile(document, options) : document;
  return parseWithSchema(ProfileSchema, current, "profile", options, InvalidProfileError);
}
