/**
 * Profile references typed on the command line: `[<namespace>/]<catalog>/<profile>[@<version>]`.
 *
 * Catalogs are keyed by namespace and name, so the namespace is optional only while the catalog's name
 * is unique; the version is an exact version, a semver range or `latest`.
 * @module
 */

import { UsageError } from "../errors.js";

/** A parsed reference. */
export interface ProfileReference {
  readonly namespace?: string;
  readonly catalog: string;
  readonly profile: string;
  /** An exact version, a range, or undefined for the latest. */
  readonly version?: string;
}

const LABEL = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Parses a reference.
 *
 * @throws UsageError naming the expected form.
 * @example parseProfileReference("platform/company/nginx@^1.2")
 */
export function parseProfileReference(text: string, verb: string): ProfileReference {
  const at = text.indexOf("@");
  const path = at === -1 ? text : text.slice(0, at);
  const version = at === -1 ? undefined : text.slice(at + 1);
  const parts = path.split("/");
  const valid = parts.length >= 2 && parts.length <= 3 && parts.every((p) => LABEL.test(p));
  if (!valid || version === "") {
    throw new UsageError(`"${text}" is not a profile reference`, {
      hint: `write it as <catalog>/<profile>[@<version>] (or <namespace>/<catalog>/<profile>), for example \`pctl ${verb} company/nginx@1.2.0\`; \`pctl search\` lists them`,
    });
  }
  const [a, b, c] = parts as [string, string, string | undefined];
  return c === undefined
    ? { catalog: a, profile: b, ...(version ? { version } : {}) }
    : { namespace: a, catalog: b, profile: c, ...(version ? { version } : {}) };
}

/** How a reference is shown: `catalog/profile`, with the namespace only when it was given. */
export function formatReference(ref: { namespace?: string; catalog: string; profile: string }): string {
  return `${ref.namespace ? `${ref.namespace}/` : ""}${ref.catalog}/${ref.profile}`;
}
