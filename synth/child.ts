/**
 * What every child construct shares: its props, its metadata, and the checks its constructor runs.
 * A child never carries a namespace: it lives in its parent's, which Metacontroller sets.
 * @module
 */

import type { ApiObjectMetadata } from "cdk8s";
import { InvalidInputError } from "../crds/errors.js";
import { MAX_NAME_LENGTH } from "./names.js";

/** The Flux interval every child gets when none is given: the subscription's own default. */
const DEFAULT_INTERVAL = "10m";

/** Props every child construct takes. */
export interface ChildProps {
  /** `metadata.name`: a DNS-1123 label of at most 63 characters (Flux copies it into labels). */
  readonly name: string;
  /**
   * `metadata.labels`.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * `metadata.annotations`.
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Props of a Flux child, which reconciles on an interval. */
export interface FluxChildProps extends ChildProps {
  /**
   * `spec.interval`, a Go duration.
   * @default "10m"
   */
  readonly interval?: string;
  /**
   * `spec.suspend`: stops reconciling while true. Written even when false: Metacontroller's 3-way
   * merge only restores fields we set, so an omitted false would let a hand-set true stay for good.
   * @default false
   */
  readonly suspend?: boolean;
}

/** Props of a Flux source child, which fetches from a URL. */
export interface SourceChildProps extends FluxChildProps {
  /** Where the source fetches from. */
  readonly url: string;
}

/** What every Flux child starts from: its metadata, and `interval` and `suspend` with their defaults. */
export interface FluxChildBase {
  readonly metadata: ApiObjectMetadata;
  readonly interval: string;
  readonly suspend: boolean;
}

/** Checks a Flux child's name and interval, and gives what every Flux child starts from. */
export function fluxChild(kind: string, props: FluxChildProps): FluxChildBase {
  const interval = props.interval ?? DEFAULT_INTERVAL;
  checkName(kind, props.name);
  checkDuration(kind, props.name, "interval", interval);
  return { metadata: childMetadata(props), interval, suspend: props.suspend ?? false };
}

/**
 * Checks a Flux source child's name, interval and URL (one of `schemes`), and gives its metadata
 * and the spec fields every source has.
 */
export function sourceChild(
  kind: string,
  props: SourceChildProps,
  schemes: readonly string[],
): {
  readonly metadata: ApiObjectMetadata;
  readonly spec: { url: string; interval: string; suspend: boolean };
} {
  const { metadata, interval, suspend } = fluxChild(kind, props);
  checkUrl(kind, props.name, props.url, schemes);
  return { metadata, spec: { url: props.url, interval, suspend } };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** The metadata of a child: an explicit name (never cdk8s's hashed one), and no namespace. */
export function childMetadata(props: ChildProps): ApiObjectMetadata {
  return {
    name: props.name,
    ...(props.labels !== undefined && { labels: { ...props.labels } }),
    ...(props.annotations !== undefined && { annotations: { ...props.annotations } }),
  };
}

/** Throws unless `name` is a DNS-1123 label of at most `maxLength` characters. */
export function checkName(kind: string, name: string, maxLength: number = MAX_NAME_LENGTH): void {
  if (name.length > maxLength || !DNS_LABEL.test(name)) {
    throw new InvalidInputError(
      `${kind} '${name}': the name must be a DNS-1123 label of at most ${maxLength} characters`,
      { data: { kind, name } },
    );
  }
}

/** Throws unless `value` is a Flux duration such as `30s`, `10m` or `1h30m`. */
export function checkDuration(kind: string, name: string, field: string, value: string): void {
  if (!DURATION.test(value)) {
    throw new InvalidInputError(
      `${kind} '${name}': ${field} '${value}' must be a duration such as 30s, 10m or 1h30m`,
      { data: { kind, name, field, value } },
    );
  }
}

/** Throws unless `url` starts with one of `schemes`. */
function checkUrl(kind: string, name: string, url: string, schemes: readonly string[]): void {
  if (!schemes.some((scheme) => url.startsWith(`${scheme}://`))) {
    throw new InvalidInputError(
      `${kind} '${name}': url '${url}' must start with ${schemes.map((s) => `${s}://`).join(", ")}`,
      { data: { kind, name, url } },
    );
  }
}
