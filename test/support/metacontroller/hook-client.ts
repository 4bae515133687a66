/**
 * How Metacontroller calls one webhook (`pkg/hooks`): POST JSON, URL from `url` or `service` + `path`,
 * optional Authorization from a Secret, a timeout (default 10s), only 200 accepted, 429 with Retry-After.
 * @module
 */
import type { Hook } from "../../../crds/metacontroller.js";
import type { ClusterStore } from "./store.js";

/** The outcome of one HTTP call. */
export type HookReply =
  | { readonly ok: true; readonly status: 200; readonly body: unknown }
  | {
      readonly ok: false;
      readonly status?: number;
      readonly error: string;
      readonly retryAfterSeconds?: number;
    };

/** Resolves the URL Metacontroller would call for `hook`, then moves it to `endpoint`'s origin if given. */
function hookUrl(hook: Hook, endpoint?: string): string {
  const webhook = hook.webhook ?? {};
  let url: string;
  if (webhook.url) url = webhook.url;
  else {
    const { service, path } = webhook;
    if (!service || !path) throw new Error("webhook: url, or both service and path, must be set");
    url = `${service.protocol ?? "http"}://${service.name}.${service.namespace}:${service.port ?? 80}${path}`;
  }
  if (!endpoint) return url;
  const resolved = new URL(url);
  const target = new URL(endpoint);
  return `${target.origin}${resolved.pathname}${resolved.search}`;
}

/** Parses a Go duration string ("10s", "1m30s", "500ms") to milliseconds. */
function parseDuration(value: string): number {
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 1e-6,
  };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value) {
    throw new Error(`webhook.timeout: invalid duration ${JSON.stringify(value)}`);
  }
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * (units[unit as string] ?? 0), 0);
}

/** POSTs `request` to `hook` and reads the answer as Metacontroller does. */
export async function callHook(
  hook: Hook,
  request: unknown,
  { store, endpoint }: { store: ClusterStore; endpoint?: string },
): Promise<{ url: string; reply: HookReply }> {
  const url = hookUrl(hook, endpoint);
  const timeoutMs = hook.webhook?.timeout ? parseDuration(hook.webhook.timeout) : 0;
  const headers: Record<string, string> = { "content-type": "application/json" };
  const authorization = authorizationHeader(hook, store);
  if (authorization) headers.authorization = authorization;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(timeoutMs > 0 ? timeoutMs : 10_000),
    });
  } catch (error) {
    return { url, reply: { ok: false, error: `transport error: ${(error as Error).message}` } };
  }
  const text = await res.text();
  if (res.status === 429) {
    return {
      url,
      reply: {
        ok: false,
        status: 429,
        error: "too many requests",
        retryAfterSeconds: retryAfter(res.headers),
      },
    };
  }
  if (res.status !== 200) {
    return {
      url,
      reply: { ok: false, status: res.status, error: `unsupported status code: ${res.status} body: ${text}` },
    };
  }
  try {
    return { url, reply: { ok: true, status: 200, body: JSON.parse(text) } };
  } catch (error) {
    return { url, reply: { ok: false, status: 200, error: `malformed JSON: ${(error as Error).message}` } };
  }
}

function authorizationHeader(hook: Hook, store: ClusterStore): string | undefined {
  const auth = hook.webhook?.authorization;
  if (!auth?.secretRef) return undefined;
  const { name, namespace, key } = auth.secretRef;
  if (!key) throw new Error(`webhook.authorization.secretRef: key is required`);
  const secret = store.mustGet({ apiVersion: "v1", kind: "Secret", namespace, name });
  const encoded = (secret.data as Record<string, string> | undefined)?.[key];
  if (encoded === undefined) throw new Error(`Secret ${namespace}/${name} has no key ${key}`);
  return `${auth.type ?? "Bearer"} ${Buffer.from(encoded, "base64").toString("utf8")}`;
}

function retryAfter(headers: Headers): number {
  const value = headers.get("retry-after");
  if (!value) return 0;
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? 0 : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
