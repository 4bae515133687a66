/**
 * The CustomResourceDefinitions of ProfileSubscription and ProfileCatalogSource, generated from
 * their zod schemas so the schema stays the one source of truth. (Profile is a file in git and is
 * never installed.)
 *
 * zod's OpenAPI 3.0 output is close to what the API server accepts, but not structural. A post-pass
 * applies Kubernetes' rules:
 * - free-form mappings (Helm values) become `x-kubernetes-preserve-unknown-fields`, as in Flux's
 *   HelmRelease, and unions of scalars (parameter values) become untyped preserved fields;
 * - strict objects lose `additionalProperties: false`: the API server prunes unknown fields instead;
 * - `apiVersion`, `kind` and `metadata` at the root are plain, as the API server requires;
 * - integers lose zod's safe-integer bounds and gain `format: int64`, and date-times lose zod's
 *   pattern, since the API server checks the format itself.
 * Anything else that is not structural (another union, a `$ref`) throws, so a schema change that
 * cannot be expressed fails the tests rather than the cluster. Cross-field rules ("exactly one of")
 * travel as CEL `x-kubernetes-validations` attached to the schemas with `.meta()`.
 * @module
 */

import * as z from "zod";
import { API_GROUP, API_VERSION_NAME } from "./common.js";
import { PROFILE_CATALOG_SOURCE_KIND, ProfileCatalogSourceSchema } from "./profile-catalog-source.js";
import { PROFILE_SUBSCRIPTION_KIND, ProfileSubscriptionSchema } from "./profile-subscription.js";

type Json = Record<string, unknown>;

interface Kind {
  readonly kind: string;
  readonly plural: string;
  readonly shortNames: readonly string[];
  readonly description: string;
  readonly schema: z.ZodType;
  readonly columns: readonly Json[];
}

const READY_COLUMNS = [
  { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: "Status", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
] as const;
const AGE_COLUMN = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" } as const;

const KINDS: readonly Kind[] = [
  {
    kind: PROFILE_SUBSCRIPTION_KIND,
    plural: "profilesubscriptions",
    shortNames: ["psub"],
    description: "ProfileSubscription installs a profile from git or from a catalog, as Flux objects.",
    schema: ProfileSubscriptionSchema,
    columns: [
      ...READY_COLUMNS,
      { name: "Version", type: "string", jsonPath: ".status.resolved.version" },
      AGE_COLUMN,
    ],
  },
  {
    kind: PROFILE_CATALOG_SOURCE_KIND,
    plural: "profilecatalogsources",
    shortNames: ["pcat"],
    description:
      "ProfileCatalogSource is a catalog of approved profiles, listed by hand or scanned from git tags.",
    schema: ProfileCatalogSourceSchema,
    columns: [...READY_COLUMNS, AGE_COLUMN],
  },
];

/**
 * The CRDs (apiextensions.k8s.io/v1) of the installed kinds, as plain JSON objects. The output
 * depends only on the schemas, so two calls give equal objects and the deploy app's output is
 * stable.
 *
 * @example
 * for (const crd of customResourceDefinitions()) new ApiObject(chart, crd.metadata.name, crd);
 */
export function customResourceDefinitions(): object[] {
  return KINDS.map(customResourceDefinition);
}

function customResourceDefinition(kind: Kind): Json {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${kind.plural}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.kind.toLowerCase(),
        shortNames: [...kind.shortNames],
        categories: ["pctl"],
      },
      scope: "Namespaced",
      versions: [
        {
          name: API_VERSION_NAME,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: kind.columns.map((column) => ({ ...column })),
          schema: { openAPIV3Schema: openApiSchema(kind) },
        },
      ],
    },
  };
}

function openApiSchema(kind: Kind): Json {
  const generated = z.toJSONSchema(kind.schema, {
    target: "openapi-3.0",
    io: "input",
    unrepresentable: "throw",
  });
  const root = structural(generated as Json, kind.kind);
  const properties = root.properties as Json;
  // The API server owns these three; a schema for them beyond their type is refused or ignored.
  properties.apiVersion = {
    type: "string",
    description: "APIVersion defines the versioned schema of this object.",
  };
  properties.kind = { type: "string", description: "Kind is the REST resource this object represents." };
  properties.metadata = { type: "object" };
  const required = (root.required as string[] | undefined)?.filter((key) => key === "spec");
  return {
    description: kind.description,
    ...root,
    ...(required && required.length > 0 ? { required } : {}),
  };
}

const SAFE_INTEGER_BOUND = Number.MAX_SAFE_INTEGER;
const SCALAR_TYPES = new Set(["string", "number", "integer", "boolean"]);

/** Rewrites one generated node, and its children, into a structural schema node. */
function structural(node: Json, path: string): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema") continue;
    if (key === "$ref" || key === "$defs" || key === "allOf" || key === "not") {
      throw new Error(`${path}: ${key} cannot be expressed in a structural CRD schema`);
    }
    out[key] = value;
  }

  for (const junctor of ["anyOf", "oneOf"] as const) {
    const branches = out[junctor] as Json[] | undefined;
    if (!branches) continue;
    if (!branches.every((branch) => SCALAR_TYPES.has(branch.type as string))) {
      throw new Error(
        `${path}: ${junctor} of objects or arrays cannot be expressed in a structural CRD schema`,
      );
    }
    // A union of scalars has no structural type; zod checks the branches in the hooks.
    delete out[junctor];
    out["x-kubernetes-preserve-unknown-fields"] = true;
  }

  if (out.additionalProperties === false) delete out.additionalProperties;
  const additional = out.additionalProperties as Json | undefined;
  if (additional !== undefined && Object.keys(additional).length === 0) {
    delete out.additionalProperties;
    out["x-kubernetes-preserve-unknown-fields"] = true;
  }

  if (out.type === "integer") {
    if (out.minimum === -SAFE_INTEGER_BOUND) delete out.minimum;
    if (out.maximum === SAFE_INTEGER_BOUND) delete out.maximum;
    out.format = "int64";
  }
  if (out.format === "date-time") delete out.pattern;

  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, Json>).map(([key, child]) => [
        key,
        structural(child, `${path}.${key}`),
      ]),
    );
  }
  if (out.items) out.items = structural(out.items as Json, `${path}[]`);
  if (out.additionalProperties)
    out.additionalProperties = structural(out.additionalProperties as Json, `${path}.*`);
  return out;
}
