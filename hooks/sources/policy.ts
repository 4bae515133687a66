/**
 * The source policy: which URLs a profile may be fetched from and which paths inside a repository a
 * profile may read. Every request the git layer makes goes through `hooks/sources/http.ts`, which asks
 * this policy about each URL, each redirect hop and each resolved address.
 *
 * - Schemes: `https:` always, `http:` only with `allowHttp`; `file:` and everything else never.
 * - Addresses: link-local (169.254.0.0/16, fe80::/10) and cloud metadata endpoints never; loopback
 *   (127.0.0.0/8, ::1, `localhost`) only with `allowLoopback`. The check runs on the addresses a name
 *   resolves to at connect time, so a public name pointing at a metadata address is refused too.
 * - Paths: normalized, relative, and inside their profile directory.
 * @module
 */
import { lookup as dnsLookup } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { posix } from "node:path";
import { InvalidInputError, PolicyViolationError } from "../../crds/errors.js";

/** Options of {@link createSourcePolicy}. */
export interface SourcePolicyOptions {
  /** Allow `http://` sources besides `https://` (`PCTL_ALLOW_HTTP`). @default false */
  readonly allowHttp?: boolean;
  /** Allow sources on 127.0.0.0/8, ::1 and `localhost` (`PCTL_ALLOW_LOOPBACK`). @default false */
  readonly allowLoopback?: boolean;
  /** The resolver consulted at connect time; tests inject one. @default node:dns `lookup` */
  readonly lookup?: typeof dnsLookup;
}

/** A checked source policy; see {@link createSourcePolicy}. */
export interface SourcePolicy {
  readonly allowHttp: boolean;
  readonly allowLoopback: boolean;
  /**
   * Parses `url` and checks its scheme, that it carries no credentials, query or fragment, and its host
   * when the host is an address literal or a name that is always refused.
   * @throws InvalidInputError when `url` does not parse; PolicyViolationError when it is refused
   */
  checkUrl(url: string): URL;
  /**
   * Checks one request or redirect hop: scheme, no credentials, and an address-literal or always-refused
   * host. Names are checked again on the addresses they resolve to, by `lookup`.
   * @throws PolicyViolationError when the request is refused
   */
  checkRequest(url: URL): void;
  /** A `lookup` for node:http that refuses a name resolving to any address the policy forbids. */
  readonly lookup: LookupFunction;
}

/** Addresses no source may use, whatever the configuration: link-local and cloud metadata endpoints. */
const neverAllowed = new BlockList();
neverAllowed.addSubnet("169.254.0.0", 16, "ipv4");
neverAllowed.addSubnet("fe80::", 10, "ipv6");
neverAllowed.addAddress("fd00:ec2::254", "ipv6");
// Alibaba Cloud's metadata service lives outside the link-local range.
neverAllowed.addAddress("100.100.100.200", "ipv4");
// "This host": connecting to 0.0.0.0 or :: reaches the loopback interface on Linux.
neverAllowed.addSubnet("0.0.0.0", 8, "ipv4");
neverAllowed.addAddress("::", "ipv6");

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

const metadataHosts = new Set(["metadata.google.internal", "metadata.goog", "metadata"]);

/**
 * Creates the policy that the http client and the fetcher enforce.
 * @example
 * const policy = createSourcePolicy({ allowHttp: true, allowLoopback: true }); // tests
 * policy.checkUrl("file:///etc/passwd"); // throws PolicyViolationError
 */
export function createSourcePolicy({
  allowHttp = false,
  allowLoopback = false,
  lookup = dnsLookup,
}: SourcePolicyOptions = {}): SourcePolicy {
  const refusal = (address: string): string | undefined => {
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (neverAllowed.check(address, family))
      return "link-local, metadata and unspecified addresses are never allowed";
    if (!allowLoopback && loopback.check(address, family)) {
      return "loopback addresses are allowed only with PCTL_ALLOW_LOOPBACK=true";
    }
    return undefined;
  };

  const checkRequest = (url: URL): void => {
    const shown = `${url.protocol}//${url.host}${url.pathname}`;
    const refuse = (reason: string) =>
      new PolicyViolationError(`source URL ${shown} refused: ${reason}`, { data: { url: shown, reason } });
    if (url.protocol !== "https:" && !(url.protocol === "http:" && allowHttp)) {
      throw refuse(
        `scheme "${url.protocol}" is not allowed: use https:// (http:// only with PCTL_ALLOW_HTTP=true)`,
      );
    }
    if (url.username !== "" || url.password !== "") {
      throw refuse("credentials must not be part of the URL: put them in the Secret named by secretRef");
    }
    const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "");
    if (metadataHosts.has(host)) throw refuse("cloud metadata endpoints are never allowed");
    if (!allowLoopback && (host === "localhost" || host.endsWith(".localhost"))) {
      throw refuse("loopback addresses are allowed only with PCTL_ALLOW_LOOPBACK=true");
    }
    const reason = isIP(host) === 0 ? undefined : refusal(host);
    if (reason !== undefined) throw refuse(reason);
  };

  const checkUrl = (raw: string): URL => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch (cause) {
      throw new InvalidInputError(`source URL "${raw}" is not a valid URL`, { data: { url: raw }, cause });
    }
    checkRequest(url);
    if (url.search !== "" || url.hash !== "") {
      const shown = `${url.protocol}//${url.host}${url.pathname}`;
      const reason = "a query string or fragment is not allowed";
      throw new PolicyViolationError(`source URL ${shown} refused: ${reason}`, {
        data: { url: shown, reason },
      });
    }
    return url;
  };

  const checkedLookup: LookupFunction = (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, "", 4);
        return;
      }
      // Every address must pass: the socket may connect to any of them.
      for (const { address } of addresses) {
        const reason = refusal(address);
        if (reason === undefined) continue;
        const refused = new PolicyViolationError(
          `host ${hostname} resolves to ${address}, which is refused: ${reason}`,
          {
            data: { host: hostname, address, reason },
          },
        );
        callback(refused as NodeJS.ErrnoException, "", 4);
        return;
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]?.address ?? "", addresses[0]?.family ?? 4);
    });
  };

  return { allowHttp, allowLoopback, checkUrl, checkRequest, lookup: checkedLookup };
}

/** Reads `PCTL_ALLOW_HTTP` and `PCTL_ALLOW_LOOPBACK` (`"true"` enables; anything else does not). */
export function sourcePolicyOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SourcePolicyOptions {
  return { allowHttp: env.PCTL_ALLOW_HTTP === "true", allowLoopback: env.PCTL_ALLOW_LOOPBACK === "true" };
}

/**
 * The identity of a repository URL, for cycle detection and caches: scheme and host lower-cased,
 * default port dropped, trailing slashes and `.git` removed (`https://Git.example.com/org/p.git/` and
 * `https://git.example.com/org/p` are one repository).
 */
export function normalizeSourceUrl(url: URL): string {
  const path = url.pathname.replace(/\/+$/, "").replace(/\.git$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * Normalizes a path inside a repository or a profile directory: relative, `/`-separated, no `.` or
 * `..` segments, no trailing slash; the root is `""`.
 * @throws PolicyViolationError when the path is absolute or climbs out with `..`
 */
export function normalizeRelativePath(path: string | undefined, what = "path"): string {
  const raw = path ?? "";
  const refuse = (reason: string) =>
    new PolicyViolationError(`${what} "${raw}" refused: ${reason}`, { data: { path: raw, reason } });
  if (raw.includes("\0") || raw.includes("\\")) throw refuse("it contains a backslash or NUL character");
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) throw refuse("it must be relative");
  const normalized = posix.normalize(raw === "" ? "." : raw).replace(/\/+$/, "");
  if (normalized === ".." || normalized.startsWith("../")) throw refuse("it leaves its directory");
  return normalized === "." ? "" : normalized;
}

/**
 * Resolves a symlink's target against the directory holding the link, both relative to one profile
 * directory; the directory itself is `""`. Returns `undefined` when the target is absolute or climbs
 * out of that directory.
 */
export function resolveLinkTarget(linkPath: string, target: string): string | undefined {
  if (target.startsWith("/") || target.includes("\0")) return undefined;
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target)).replace(/\/+$/, "");
  if (resolved === ".." || resolved.startsWith("../")) return undefined;
  return resolved === "." ? "" : resolved;
}
