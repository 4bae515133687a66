/**
 * Condition types and reasons of ProfileSubscription and ProfileCatalogSource, with a message
 * template beside each reason. The types follow kstatus, so `kubectl wait --for=condition=Ready`,
 * Flux health checks and Argo CD read our objects without help:
 * - `Ready` is always present; True when everything asked for is running.
 * - `Reconciling` is present only while True: work is under way and a new state is expected.
 * - `Stalled` is present only while True: nothing will change until the spec (or the source) does.
 *
 * Reasons are CamelCase constants. Tests and hooks use the constants, never string literals, and
 * messages come from the templates here so every message names the value and the next step.
 * @module
 */

/** The condition types, kstatus-compatible. */
export const ConditionTypes = {
  /** Normal-true: True when every artifact is ready; False with the reason when not. */
  Ready: "Ready",
  /** Abnormal-true, present only while True: a change is being rolled out. */
  Reconciling: "Reconciling",
  /** Abnormal-true, present only while True: retrying will not help; the spec must change. */
  Stalled: "Stalled",
} as const;

/** A condition type. */
export type ConditionType = (typeof ConditionTypes)[keyof typeof ConditionTypes];

/** Every artifact is ready (Ready=True). Nothing to do. */
export const Succeeded = "Succeeded";
/** Message for {@link Succeeded}: a subscription's artifacts, or a catalog's profiles. */
export function succeededMessage(count: number, noun: "artifacts" | "profiles" = "artifacts"): string {
  return noun === "artifacts" ? `${count}/${count} artifacts ready` : `${count} ${noun} available`;
}

/** Children were created or changed and are being rolled out (Reconciling=True, Ready=False). Wait. */
export const Progressing = "Progressing";
/** Message for {@link Progressing}. */
export function progressingMessage(ready: number, total: number): string {
  return `${ready}/${total} artifacts ready`;
}

/** An artifact waits for one it depends on (Ready=False). Wait, or look at the dependency's status. */
export const DependencyNotReady = "DependencyNotReady";
/** Message for {@link DependencyNotReady}. */
export function dependencyNotReadyMessage(artifact: string, dependency: string): string {
  return `artifact ${artifact} waits for ${dependency} to be ready`;
}

/**
 * The git repository could not be reached or answered badly (Ready=False); pctl retries with backoff
 * and keeps the children it has. Check the URL and the network if it lasts.
 */
export const SourceUnavailable = "SourceUnavailable";
/** Message for {@link SourceUnavailable}. */
export function sourceUnavailableMessage(url: string, detail: string): string {
  return `cannot fetch ${redactUrl(url)}: ${detail}; retrying`;
}

/**
 * The repository refused the credentials, or asked for some and none were given (Stalled=True).
 * Fix the Secret named by secretRef (keys username/password, or bearerToken), or set one.
 */
export const AuthenticationFailed = "AuthenticationFailed";
/** Message for {@link AuthenticationFailed}. */
export function authenticationFailedMessage(url: string, secretName?: string): string {
  return secretName === undefined
    ? `${redactUrl(url)} asks for credentials; set secretRef to a Secret with username and password, or bearerToken`
    : `${redactUrl(url)} refused the credentials in Secret ${secretName}; check its username/password or bearerToken`;
}

/** The profile.yaml at the resolved revision is not valid (Stalled=True). Fix the profile, or pick another version. */
export const InvalidProfile = "InvalidProfile";
/** Message for {@link InvalidProfile}; `detail` lists the problems by field. */
export function invalidProfileMessage(where: string, detail: string): string {
  return `profile ${where} is invalid; fix it or pick another version: ${detail}`;
}

/**
 * The object's spec is not valid beyond what the API server checks (Stalled=True), for example a
 * parameter the profile does not declare. Fix the spec.
 */
export const InvalidSpec = "InvalidSpec";
/** Message for {@link InvalidSpec}. */
export function invalidSpecMessage(detail: string): string {
  return `spec is invalid: ${detail}`;
}

/** A Flux child failed (Ready=False). Its message is quoted; `kubectl describe` the child for more. */
export const ArtifactFailed = "ArtifactFailed";
/** Message for {@link ArtifactFailed}. */
export function artifactFailedMessage(artifact: string, kind: string, message: string): string {
  return `artifact ${artifact} (${kind}) failed: ${message}`;
}

/** The ProfileCatalogSource named by spec.catalog does not exist (Stalled=True). Fix the name or namespace. */
export const CatalogNotFound = "CatalogNotFound";
/** Message for {@link CatalogNotFound}. */
export function catalogNotFoundMessage(namespace: string, name: string): string {
  return `catalog ${namespace}/${name} not found; check spec.catalog.catalog and spec.catalog.namespace`;
}

/**
 * No version of the profile matches (Stalled=True): not in the catalog, or no tag matches the
 * semver range. Widen the range, or wait for the version to be published.
 */
export const VersionNotFound = "VersionNotFound";
/** Message for {@link VersionNotFound}; `where` is the catalog or the repository. */
export function versionNotFoundMessage(profile: string, version: string, where: string): string {
  return `no version of profile ${profile} matching ${version} in ${where}; run pctl show ${profile} to list versions`;
}

/** A URL or path was refused by the source policy (Stalled=True): scheme, address or path escape. */
export const PolicyViolation = "PolicyViolation";
/** Message for {@link PolicyViolation}. */
export function policyViolationMessage(what: string, rule: string): string {
  return `${what} is not allowed: ${rule}`;
}

/** Profiles include each other, or artifacts depend on each other, in a loop (Stalled=True). Break the loop. */
export const Cycle = "Cycle";
/** Message for {@link Cycle}; `loop` ends where it started. */
export function cycleMessage(loop: readonly string[]): string {
  return `a loop: ${loop.join(" -> ")}; remove one of these references`;
}

/** A size, count or depth limit was exceeded (Stalled=True), for example a huge profile.yaml. Make it smaller. */
export const LimitExceeded = "LimitExceeded";
/** Message for {@link LimitExceeded}. */
export function limitExceededMessage(detail: string): string {
  return `limit exceeded: ${detail}`;
}

/** spec.suspend is true (Ready=False): nothing is reconciled and children stay as they are. Set it to false. */
export const Suspended = "Suspended";
/** Message for {@link Suspended}. */
export function suspendedMessage(): string {
  return "reconciliation is suspended; set spec.suspend to false to resume";
}

/** The object is being deleted and its children are being removed (Reconciling=True). Wait. */
export const Finalizing = "Finalizing";
/** Message for {@link Finalizing}. */
export function finalizingMessage(remaining: number): string {
  return `deleting; ${remaining} children left`;
}

/** Every reason, for switches and for the docs test that checks each one is documented. */
export const Reasons = {
  Succeeded,
  Progressing,
  DependencyNotReady,
  SourceUnavailable,
  AuthenticationFailed,
  InvalidProfile,
  InvalidSpec,
  ArtifactFailed,
  CatalogNotFound,
  VersionNotFound,
  PolicyViolation,
  Cycle,
  LimitExceeded,
  Suspended,
  Finalizing,
} as const;

/** A condition reason. */
export type Reason = (typeof Reasons)[keyof typeof Reasons];

// Messages end up in status, events and logs: a URL there keeps neither a password nor a query string.
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return url;
  }
}
