import { ApiObject, Duration } from "cdk8s";
import type { Construct } from "constructs";

/**
 * How Metacontroller brings an existing child in line with the desired one
 * (`childResources[].updateStrategy.method`).
 *
 * @see https://metacontroller.github.io/metacontroller/api/compositecontroller.html#child-update-methods
 */
export type ChildUpdateMethod = "OnDelete" | "Recreate" | "InPlace" | "RollingRecreate" | "RollingInPlace";

/** A resource a CompositeController watches, as `apiVersion` plus plural `resource`. */
export interface ResourceRule {
  /** Group and version, e.g. `source.toolkit.fluxcd.io/v1`, or `v1` for the core group. */
  readonly apiVersion: string;
  /** Plural resource name, e.g. `gitrepositories`. */
  readonly resource: string;
}

/** A child kind the parent owns. */
export interface ChildResource extends ResourceRule {
  /**
   * Update strategy for children of this kind.
   *
   * @default "InPlace" - Metacontroller's own default, `OnDelete`, never propagates a change to an
   * existing child, which is never what a profile upgrade wants.
   */
  readonly updateMethod?: ChildUpdateMethod;
}

/** The Service the hooks are served from. */
export interface HookService {
  readonly name: string;
  readonly namespace: string;
  /**
   * @default 80
   */
  readonly port?: number;
}

/** Props of {@link CompositeController}. */
export interface CompositeControllerProps {
  /** `metadata.name`; by convention the parent's `<resource>.<group>`. */
  readonly name: string;
  /** The parent kind. Metacontroller requires it to be a CRD with the status subresource. */
  readonly parent: ResourceRule;
  /**
   * Child kinds the hooks may return. Children of any other kind are rejected by Metacontroller.
   *
   * @default - no children
   */
  readonly children?: readonly ChildResource[];
  /** Where the customize, sync and finalize webhooks are served. */
  readonly service: HookService;
  /**
   * Path prefix of the hooks; `/customize`, `/sync` and `/finalize` are appended.
   * For example `/hooks/subscription`.
   */
  readonly hookPathPrefix: string;
  /**
   * How long Metacontroller waits for one hook call before it counts as failed.
   *
   * @default Duration.seconds(30) - a sync may fetch from git; Metacontroller's own 10s default is
   * tight for a cold clone.
   */
  readonly hookTimeout?: Duration;
  /**
   * Periodic resync of every parent, so that upstream changes (new tags, moved branches) are
   * noticed without an edit to the parent.
   *
   * @default Duration.minutes(5)
   */
  readonly resyncPeriod?: Duration;
}

/** The hooks every {@link CompositeController} declares, in this order. */
export const COMPOSITE_HOOKS = ["customize", "sync", "finalize"] as const;

/**
 * A Metacontroller `CompositeController` (`metacontroller.k8s.io/v1alpha1`) whose hooks are
 * `version: v2` webhooks on one in-cluster Service.
 *
 * Fixed choices, since pctl's hooks depend on them:
 * - `version: v2` hooks: child keys are `namespace/name` and responses are decoded strictly;
 * - `generateSelector: true`: Metacontroller labels children with `controller-uid` itself, so no
 *   hand-written selector can ever match (and then delete) objects pctl did not create;
 * - `parentResource.ignoreStatusChanges: true`: the status the sync hook writes does not trigger
 *   another sync; spec edits, related objects and the resync period still do (the combination
 *   works from Metacontroller v4.17.2 on).
 *
 * @see https://metacontroller.github.io/metacontroller/api/compositecontroller.html
 */
export class CompositeController extends ApiObject {
  constructor(scope: Construct, id: string, props: CompositeControllerProps) {
    const timeout = props.hookTimeout ?? Duration.seconds(30);
    const resync = props.resyncPeriod ?? Duration.minutes(5);
    const resyncMs = resync.toMilliseconds();
    if (resyncMs < 1000 || resyncMs % 1000 !== 0) {
      throw new Error(`'resyncPeriod' (${resyncMs}ms) must be a whole number of seconds, at least 1s`);
    }
    if (!props.hookPathPrefix.startsWith("/") || props.hookPathPrefix.endsWith("/")) {
      throw new Error(
        `'hookPathPrefix' (${props.hookPathPrefix}) must start with '/' and not end with one, e.g. '/hooks/catalog'`,
      );
    }

    const webhook = (hook: (typeof COMPOSITE_HOOKS)[number]) => ({
      version: "v2",
      webhook: {
        service: {
          name: props.service.name,
          namespace: props.service.namespace,
          port: props.service.port ?? 80,
          protocol: "http",
        },
        path: `${props.hookPathPrefix}/${hook}`,
        timeout: goDuration(timeout),
      },
    });

    super(scope, id, {
      apiVersion: "metacontroller.k8s.io/v1alpha1",
      kind: "CompositeController",
      metadata: { name: props.name },
      spec: {
        generateSelector: true,
        resyncPeriodSeconds: resyncMs / 1000,
        parentResource: {
          apiVersion: props.parent.apiVersion,
          resource: props.parent.resource,
          ignoreStatusChanges: true,
        },
        ...(props.children && props.children.length > 0
          ? {
              childResources: props.children.map((child) => ({
                apiVersion: child.apiVersion,
                resource: child.resource,
                updateStrategy: { method: child.updateMethod ?? "InPlace" },
              })),
            }
          : {}),
        hooks: Object.fromEntries(COMPOSITE_HOOKS.map((hook) => [hook, webhook(hook)])),
      },
    });
  }
}

/** Go's `time.ParseDuration` form, which the CRD's `format: duration` expects (`30s`, not `PT30S`). */
function goDuration(duration: Duration): string {
  const ms = duration.toMilliseconds();
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
