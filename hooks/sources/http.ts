/**
 * The only HTTP client the git layer uses: isomorphic-git's `http` plugin shape, built on node:http and
 * node:https so that the source policy is checked on every request and every redirect hop (scheme, host,
 * and the addresses a name resolves to at connect time), with one deadline and one byte budget for a
 * whole git operation. isomorphic-git's own `http/node` follows redirects and connects anywhere, so it is
 * never used directly.
 * @module
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import {
  isPctlError,
  LimitExceededError,
  type PctlError,
  SourceUnavailableError,
} from "../../crds/errors.js";
import type { SourcePolicy } from "./policy.js";

/** Keep-alive agents shared by the clients of one fetcher, so warm ref discovery reuses connections. */
export interface HttpAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  readonly policy: SourcePolicy;
  /** Deadline for every request made through this client, counted from its creation. @default 60000 */
  readonly timeoutMs?: number;
  /** Cap on response bytes over all requests made through this client. @default 268435456 (256 MiB) */
  readonly maxBytes?: number;
  /** Redirects followed per request, each one checked by the policy. @default 5 */
  readonly maxRedirects?: number;
  /** Connection pools; without them every request opens a new connection. */
  readonly agents?: HttpAgents;
}

/** isomorphic-git's `http` plugin plus what stopped it, for errors that isomorphic-git wraps or drops. */
export interface SourceHttpClient extends HttpClient {
  /** The policy, limit or network error that ended a request, if any. */
  readonly failure: PctlError | undefined;
  /** Response bytes received so far. */
  readonly bytesReceived: number;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** Creates keep-alive agents; the owner destroys them when done. */
export function createHttpAgents(): HttpAgents {
  return { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
}

/**
 * Creates a client for one git operation (a ref listing or a fetch): its deadline and byte budget cover
 * every request the operation makes.
 * @example
 * const http = createHttpClient({ policy, timeoutMs: 30_000, maxBytes: 64 << 20, agents });
 * await git.listServerRefs({ http, url, prefix: "refs/tags/" });
 */
export function createHttpClient({
  policy,
  timeoutMs = 60_000,
  maxBytes = 256 * 1024 * 1024,
  maxRedirects = 5,
  agents,
}: HttpClientOptions): SourceHttpClient {
  const deadline = Date.now() + timeoutMs;
  let failure: PctlError | undefined;
  let bytesReceived = 0;
  const fail = (error: PctlError): PctlError => {
    failure ??= error;
    return error;
  };

  async function* metered(res: IncomingMessage, url: URL): AsyncIterableIterator<Uint8Array> {
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        bytesReceived += chunk.length;
        if (bytesReceived > maxBytes) {
          res.destroy();
          throw fail(
            new LimitExceededError(`fetching ${display(url)} exceeded the limit of ${maxBytes} bytes`, {
              data: { url: display(url), maxBytes },
            }),
          );
        }
        yield chunk;
      }
    } catch (error) {
      throw isPctlError(error) ? error : fail(networkError(error, url));
    }
  }

  // An abort surfaces as AbortError on the request but as a plain reset on a response body.
  const networkError = (error: unknown, url: URL): PctlError => {
    if (Date.now() >= deadline) return timeoutError(url, timeoutMs);
    const code = (error as { code?: string } | null)?.code ?? String(error);
    return new SourceUnavailableError(`cannot reach ${display(url)}: ${code}`, {
      data: { url: display(url), reason: code },
      cause: error,
    });
  };

  const send = (url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        reject(fail(timeoutError(url, timeoutMs)));
        return;
      }
      const secure = url.protocol === "https:";
      const req = (secure ? httpsRequest : httpRequest)(url, {
        method,
        headers: body === undefined ? headers : { ...headers, "content-length": String(body.length) },
        agent: secure ? agents?.https : agents?.http,
        lookup: policy.lookup,
        signal: AbortSignal.timeout(remaining),
      });
      req.on("response", resolve);
      req.on("error", (error) => reject(fail(isPctlError(error) ? error : networkError(error, url))));
      req.end(body);
    });

  async function request({
    url,
    method = "GET",
    headers = {},
    body,
  }: GitHttpRequest): Promise<GitHttpResponse> {
    const payload = body === undefined ? undefined : Buffer.concat(await collect(body));
    let current = new URL(url);
    const currentHeaders: Record<string, string> = { "user-agent": "git/pctl", ...headers };
    for (let hop = 0; ; hop++) {
      try {
        policy.checkRequest(current);
      } catch (error) {
        throw isPctlError(error) ? fail(error) : error;
      }
      const res = await send(current, method, currentHeaders, payload);
      const location = res.headers.location;
      const status = res.statusCode ?? 0;
      const follows = method === "GET" || status === 307 || status === 308;
      if (!redirectStatuses.has(status) || location === undefined || !follows) {
        return {
          url: current.href,
          method: method,
          statusCode: status,
          statusMessage: res.statusMessage ?? "",
          headers: flattenHeaders(res),
          body: metered(res, current),
        };
      }
      res.resume();
      if (hop >= maxRedirects) {
        throw fail(
          new SourceUnavailableError(`${display(current)} redirected more than ${maxRedirects} times`, {
            data: { url: display(current) },
          }),
        );
      }
      const next = new URL(location, current);
      // Credentials were meant for the origin that asked for them, never for where it sends us.
      if (next.origin !== current.origin) {
        for (const name of Object.keys(currentHeaders)) {
          if (name.toLowerCase() === "authorization") delete currentHeaders[name];
        }
      }
      current = next;
    }
  }

  return {
    request,
    get failure() {
      return failure;
    },
    get bytesReceived() {
      return bytesReceived;
    },
  };
}

/** A URL as it may appear in a message: no credentials, query or fragment. */
export function display(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

async function collect(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks;
}

function flattenHeaders(res: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function timeoutError(url: URL, timeoutMs: number): SourceUnavailableError {
  return new SourceUnavailableError(`timed out after ${timeoutMs} ms talking to ${display(url)}`, {
    data: { url: display(url), timeoutMs },
  });
}
