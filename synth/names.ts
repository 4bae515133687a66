/**
 * Names of a subscription's children. A child is `<subscription>-<artifact path joined by ->`, a
 * DNS-1123 label of at most 63 characters: Flux copies a HelmRelease's or Kustomization's name into
 * a label on every object it applies, and label values stop at 63. A name that does not fit is cut
 * and ends in a hash of the whole name, so it stays unique and, above all, stable: a new name is a
 * new child, and replacing a HelmRelease uninstalls the release.
 * @module
 */

import { createHash } from "node:crypto";

/** The longest Kubernetes label value, and so the longest child name. */
export const MAX_NAME_LENGTH = 63;

/** The longest Helm release name (Helm refuses longer ones). */
export const MAX_RELEASE_NAME_LENGTH = 53;

/** How many hex digits of the hash a cut name ends with. */
const HASH_LENGTH = 8;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The first hex digits of the SHA-256 of `text`: short, and the same on every sync. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

/**
 * Makes `name` a DNS-1123 label of at most `maxLength` characters. A valid name that fits is kept
 * as it is; any other is lower-cased, has every other character replaced by `-`, is cut, and ends
 * in `-` plus the hash of `hashOf` (the original name unless told otherwise).
 *
 * @param hashOf what the hash is taken of. [default: `name`]
 * @example
 * fitName("web-cache-redis", 63) // "web-cache-redis"
 * fitName("a".repeat(70), 63)    // "aaaa…aaa-1f3a9c2e" (63 characters)
 */
export function fitName(name: string, maxLength: number, hashOf: string = name): string {
  if (name.length <= maxLength && DNS_LABEL.test(name) && hashOf === name) return name;
  return withHash(name.toLowerCase().replace(/[^-a-z0-9]/g, "-"), maxLength, hashOf, (head) =>
    head.replace(/^-+|-+$/g, ""),
  );
}

/**
 * Makes `value` a valid label value (at most 63 of letters, digits, `-`, `_`, `.`, starting and
 * ending alphanumeric). `/` becomes `.`, which artifact names never hold, so `cache/redis` reads as
 * `cache.redis`; anything else that does not fit is cut and hashed like {@link fitName}.
 */
export function labelValue(value: string): string {
  const dotted = value.replaceAll("/", ".");
  if (dotted.length <= MAX_NAME_LENGTH && LABEL_VALUE.test(dotted)) return dotted;
  return withHash(dotted.replace(/[^-A-Za-z0-9_.]/g, "-"), MAX_NAME_LENGTH, value, (head) =>
    head.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, ""),
  );
}

function withHash(name: string, maxLength: number, hashOf: string, trim: (head: string) => string): string {
  const hash = shortHash(hashOf);
  const head = trim(name.slice(0, maxLength - HASH_LENGTH - 1));
  return head === "" ? hash : `${head}-${hash}`;
}

/**
 * The name of a subscription's child for an artifact path (`cache/redis`) or a nested-profile path
 * (`""` for the root profile itself).
 *
 * @example
 * childName("web", "cache/redis") // "web-cache-redis"
 * childName("web", "")            // "web"
 */
export function childName(subscription: string, path: string): string {
  const full = path === "" ? subscription : `${subscription}-${path.split("/").join("-")}`;
  return fitName(full, MAX_NAME_LENGTH);
}

/**
 * Names every path of one subscription with {@link childName}, unique among themselves. Two paths can
 * join to the same name (`cache-redis` and `cache/redis`); the path with more levels then ends in a
 * hash of the path itself, so the shallower one keeps the name a user would guess.
 */
export function childNames(subscription: string, paths: readonly string[]): Map<string, string> {
  const byName = new Map<string, string[]>();
  for (const path of paths) {
    const name = childName(subscription, path);
    byName.set(name, [...(byName.get(name) ?? []), path]);
  }
  const names = new Map<string, string>();
  for (const [name, clashing] of byName) {
    const [keeper, ...others] = [...clashing].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
    names.set(keeper!, name);
    for (const path of others) {
      names.set(path, fitName(name, MAX_NAME_LENGTH, `${subscription}/${path}`));
    }
  }
  return names;
}

function depth(path: string): number {
  return path === "" ? 0 : path.split("/").length;
}

/** The Helm release name of a child: the child's name, cut with a hash where it passes Helm's 53. */
export function releaseName(child: string): string {
  return fitName(child, MAX_RELEASE_NAME_LENGTH);
}
