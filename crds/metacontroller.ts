/**
 * Metacontroller's hook envelopes (CompositeController sync, finalize and customize), as zod schemas.
 *
 * Modelled on the Go types of Metacontroller v4.17.2 (`pkg/controller/composite/api/{v1,v2}/hooks.go`,
 * `pkg/controller/common/customize/api/{v1,v2}/hooks.go`, `pkg/apis/metacontroller/v1alpha1/types.go`).
 * Objects inside an envelope are loose Kubernetes objects: Metacontroller sends them exactly as the API
 * server serves them, so unknown fields pass through untouched.
 *
 * DecoratorController is not modelled: pctl only runs CompositeControllers.
 * @module
 */
import * as z from "zod";

/** A Kubernetes label selector (`matchLabels` / `matchExpressions`). */
export const labelSelectorSchema = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).nullish(),
  matchExpressions: z
    .array(
      z.looseObject({
        key: z.string(),
        operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
        values: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

/** `metadata.ownerReferences[]` of a Kubernetes object. */
export const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});
export type OwnerReference = z.infer<typeof ownerReferenceSchema>;

/** The parts of `metadata` that hooks and the harness read; everything else passes through. */
export const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  ownerReferences: z.array(ownerReferenceSchema).optional(),
  finalizers: z.array(z.string()).optional(),
  deletionTimestamp: z.string().optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

/** Any Kubernetes object, as the API server serves it. */
export const kubernetesObjectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: objectMetaSchema,
});
export type KubernetesObject = z.infer<typeof kubernetesObjectSchema>;

/**
 * A desired child in a hook response: apply style, so only `apiVersion`, `kind` and `metadata.name`
 * are required (Metacontroller fills the namespace in from the parent when it is empty).
 */
export const desiredObjectSchema = kubernetesObjectSchema.extend({
  metadata: objectMetaSchema.extend({ name: z.string().min(1) }),
});
export type DesiredObject = z.infer<typeof desiredObjectSchema>;

/** `Hook.version`: the CRD defaults it to `v1`. */
export const hookVersionSchema = z.enum(["v1", "v2"]);
export type HookVersion = z.infer<typeof hookVersionSchema>;

/** The update methods of `childResources[].updateStrategy.method`; `OnDelete` is the default. */
export const childUpdateMethodSchema = z.enum([
  "OnDelete",
  "Recreate",
  "InPlace",
  "RollingRecreate",
  "RollingInPlace",
]);
export type ChildUpdateMethod = z.infer<typeof childUpdateMethodSchema>;

const secretKeyRefSchema = z.looseObject({
  name: z.string(),
  namespace: z.string(),
  key: z.string().optional(),
});

/** `Webhook`: every field is optional; `url` wins over `service` + `path`. */
export const webhookSchema = z.looseObject({
  url: z.string().optional(),
  timeout: z.string().optional(),
  path: z.string().optional(),
  service: z
    .looseObject({
      name: z.string(),
      namespace: z.string(),
      port: z.number().int().optional(),
      protocol: z.string().optional(),
    })
    .optional(),
  responseUnMarshallMode: z.enum(["loose", "strict"]).optional(),
  authorization: z
    .looseObject({ type: z.string().optional(), secretRef: secretKeyRefSchema.optional() })
    .optional(),
});
export type Webhook = z.infer<typeof webhookSchema>;

/** `Hook`: a webhook plus the envelope version it speaks. */
export const hookSchema = z.looseObject({
  version: hookVersionSchema.optional(),
  webhook: webhookSchema.optional(),
});
export type Hook = z.infer<typeof hookSchema>;

const resourceRuleShape = { apiVersion: z.string(), resource: z.string() };

/** `CompositeController`, loose: the controller object Metacontroller sends in every request. */
export const compositeControllerSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    parentResource: z.looseObject({
      ...resourceRuleShape,
      labelSelector: labelSelectorSchema.optional(),
      ignoreStatusChanges: z.boolean().optional(),
      revisionHistory: z.looseObject({ fieldPaths: z.array(z.string()).optional() }).optional(),
    }),
    childResources: z
      .array(
        z.looseObject({
          ...resourceRuleShape,
          updateStrategy: z.looseObject({ method: childUpdateMethodSchema.optional() }).optional(),
        }),
      )
      .optional(),
    hooks: z
      .looseObject({
        customize: hookSchema.optional(),
        sync: hookSchema.optional(),
        finalize: hookSchema.optional(),
      })
      .optional(),
    resyncPeriodSeconds: z.number().int().optional(),
    generateSelector: z.boolean().optional(),
  }),
  status: z.record(z.string(), z.unknown()).optional(),
});
export type CompositeController = z.infer<typeof compositeControllerSchema>;

/**
 * The outer key of `children` and `related`: the `MarshalText` form of a GroupVersionKind,
 * `<Kind>.<Version>` for the core group and `<Kind>.<Group>/<Version>` otherwise.
 */
const groupVersionKindKeySchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]*\.(?:[a-z0-9.-]+\/)?[a-z0-9]+$/, 'must look like "Kind.apiVersion"');

/**
 * `children` / `related`: GVK key → inner key → object. The inner key is `name` or `namespace/name`
 * depending on the hook version (see {@link objectMapKey}); the shape is the same for v1 and v2.
 */
export const objectMapSchema = z.record(
  groupVersionKindKeySchema,
  z.record(z.string(), kubernetesObjectSchema),
);
export type ObjectMap = z.infer<typeof objectMapSchema>;

/** `CompositeHookRequest`, sent to the sync and finalize hooks (v1 and v2 differ only in inner keys). */
export const compositeHookRequestSchema = z.object({
  controller: compositeControllerSchema,
  // Metacontroller's own test marshals an empty parent as null; a real sync always has one.
  parent: kubernetesObjectSchema.nullable(),
  children: objectMapSchema,
  related: objectMapSchema,
  finalizing: z.boolean(),
});
export type CompositeHookRequest = z.infer<typeof compositeHookRequestSchema>;

const compositeHookResponseShape = {
  // null or missing wipes the parent's status down to observedGeneration.
  status: z.record(z.string(), z.unknown()).nullish(),
  // null or missing deletes every observed child.
  children: z.array(desiredObjectSchema).nullish(),
  resyncAfterSeconds: z.number().nonnegative().optional(),
  finalized: z.boolean().optional(),
};

/** `CompositeHookResponse` as a v1 hook may send it: unknown top-level keys are ignored ("loose"). */
export const compositeHookResponseSchema = z.object(compositeHookResponseShape);
export type CompositeHookResponse = z.infer<typeof compositeHookResponseSchema>;

/** `CompositeHookResponse` as a v2 hook must send it: any other top-level key fails the sync ("strict"). */
export const compositeHookResponseV2Schema = z.strictObject(compositeHookResponseShape);

/** `RelatedResourceRule` of a customize response, with Metacontroller's selection-mode checks. */
export const relatedResourceRuleSchema = z
  .looseObject({
    ...resourceRuleShape,
    labelSelector: labelSelectorSchema.nullish(),
    namespaceSelector: labelSelectorSchema.nullish(),
    namespace: z.string().optional(),
    names: z.array(z.string()).nullish(),
  })
  .superRefine((rule, ctx) => {
    if (rule.names?.length && (rule.labelSelector || rule.namespaceSelector)) {
      ctx.addIssue({
        code: "custom",
        path: ["names"],
        message: "names cannot be combined with labelSelector or namespaceSelector",
      });
    }
    if (rule.namespace && rule.namespaceSelector) {
      ctx.addIssue({
        code: "custom",
        path: ["namespaceSelector"],
        message: "namespace cannot be combined with namespaceSelector",
      });
    }
  });
export type RelatedResourceRule = z.infer<typeof relatedResourceRuleSchema>;

/** `CustomizeHookRequest`: the controller and the parent, nothing else. */
export const customizeHookRequestSchema = z.object({
  controller: compositeControllerSchema,
  parent: kubernetesObjectSchema,
});
export type CustomizeHookRequest = z.infer<typeof customizeHookRequestSchema>;

/** `CustomizeHookResponse`: which related objects Metacontroller should collect for a parent. */
export const customizeHookResponseSchema = z.object({
  relatedResources: z.array(relatedResourceRuleSchema).nullish(),
});
export type CustomizeHookResponse = z.infer<typeof customizeHookResponseSchema>;

/** The outer key for objects of `kind` in `apiVersion` (`"ConfigMap.v1"`, `"HelmRelease.helm.toolkit.fluxcd.io/v2"`). */
export function groupKey(kind: string, apiVersion: string): string {
  return `${kind}.${apiVersion}`;
}

/**
 * The inner key Metacontroller gives `object` in a request to a hook of `version`.
 * v1: `name`, or `namespace/name` when the parent is cluster-scoped and the object namespaced.
 * v2: `namespace/name` for every namespaced object, `name` for cluster-scoped ones.
 */
export function objectMapKey(
  version: HookVersion,
  parentNamespace: string | undefined,
  object: { metadata: { name?: string; namespace?: string } },
): string {
  const { name = "", namespace } = object.metadata;
  if (!namespace) return name;
  if (version === "v2" || !parentNamespace) return `${namespace}/${name}`;
  return name;
}

/**
 * The observed children of one kind, as a flat array sorted by namespace and name, whatever the
 * request's hook version. Returns `[]` when the group is absent.
 * @example childrenOf(request, "HelmRelease", "helm.toolkit.fluxcd.io/v2")
 */
export function childrenOf(
  request: Pick<CompositeHookRequest, "children">,
  kind: string,
  apiVersion: string,
): KubernetesObject[] {
  return objectsOf(request.children, kind, apiVersion);
}

/** Like {@link childrenOf}, for `related`. */
export function relatedOf(
  request: Pick<CompositeHookRequest, "related">,
  kind: string,
  apiVersion: string,
): KubernetesObject[] {
  return objectsOf(request.related, kind, apiVersion);
}

function objectsOf(map: ObjectMap, kind: string, apiVersion: string): KubernetesObject[] {
  const group = map[groupKey(kind, apiVersion)] ?? {};
  const sortKey = (o: KubernetesObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
  return Object.values(group).sort((a, b) =>
    sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0,
  );
}

/** The version the controller's hook speaks: `v1` unless the hook says otherwise (CRD default). */
export function hookVersionOf(
  controller: CompositeController,
  hook: "customize" | "sync" | "finalize",
): HookVersion {
  return controller.spec.hooks?.[hook]?.version ?? "v1";
}
