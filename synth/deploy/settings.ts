/**
 * Names and numbers shared by every object in `deploy/`. Kept in one module so the
 * CompositeControllers, Services, NetworkPolicies and docs cannot drift apart.
 */

/** The single image both hook-server roles run. Bump it together with `package.json`'s version. */
export const IMAGE = "ghcr.io/pctl-dev/pctl:0.1.0";

/**
 * uid/gid the hook server runs as: the `node` user of the runtime image (see `Dockerfile`). Set in
 * the pod too, so that `runAsNonRoot` holds even for an image built with a different USER.
 */
export const RUN_AS_USER = 1000;

/** Namespace of the hook servers and of the optional hook-token Secret. */
export const NAMESPACE = "pctl-system";

/**
 * Namespace of the upstream Metacontroller install (`manifests/production` creates it). The hook
 * NetworkPolicies admit traffic from here only.
 */
export const METACONTROLLER_NAMESPACE = "metacontroller";

/** The hook server's listen port (`PORT` in API.md), also the probe and metrics port. */
export const CONTAINER_PORT = 8080;

/** Port of both Services; Metacontroller's default for webhooks given as a Service. */
export const SERVICE_PORT = 80;

/** ServiceAccount shared by both roles; it exists only so pods do not run as `default`. */
export const SERVICE_ACCOUNT = "pctl";

/** Secret (and its key) holding the bearer token when hook auth is turned on (`deploy/hook-token/`). */
export const HOOK_TOKEN_SECRET = { name: "pctl-hook-token", key: "token" } as const;

/** API group of the pctl custom resources. */
export const PROFILES_GROUP = "profiles.pctl.dev";

/** Label set every pctl object carries, so `kubectl get -l app.kubernetes.io/part-of=pctl` finds them. */
export const PART_OF = { "app.kubernetes.io/part-of": "pctl" } as const;
