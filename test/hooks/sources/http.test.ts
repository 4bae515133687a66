import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LimitExceededError, PolicyViolationError, SourceUnavailableError } from "../../../crds/errors.js";
import { createHttpClient } from "../../../hooks/sources/http.js";
import { createSourcePolicy } from "../../../hooks/sources/policy.js";

const servers: Server[] = [];

/** Starts a plain HTTP server on 127.0.0.1 and returns its base URL. */
async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const loopbackPolicy = createSourcePolicy({
  allowHttp: true,
  allowLoopback: true,
  lookup: ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const table: Record<string, string> = { "metadata.test": "169.254.169.254", "git.test": "127.0.0.1" };
    const address = table[hostname] ?? "";
    callback(null, options.all ? [{ address, family: 4 }] : address, 4);
  }) as never,
});

async function text(response: { body?: AsyncIterableIterator<Uint8Array> }): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

describe("createHttpClient", () => {
  it("follows a redirect on the same origin and keeps the Authorization header", async () => {
    let seen: IncomingHttpHeaders = {};
    const base = await serve((req, res) => {
      if (req.url === "/old") {
        res.writeHead(301, { location: "/new" }).end();
      } else {
        seen = req.headers;
        res.end("ok");
      }
    });
    const http = createHttpClient({ policy: loopbackPolicy });
    const response = await http.request({ url: `${base}/old`, headers: { Authorization: "Basic abc" } });
    expect(response.statusCode).toBe(200);
    expect(response.url).toBe(`${base}/new`);
    expect(await text(response)).toBe("ok");
    expect(seen.authorization).toBe("Basic abc");
    expect(seen["user-agent"]).toMatch(/^git\//);
  });

  it("drops the Authorization header when a redirect leaves the origin", async () => {
    let seen: IncomingHttpHeaders = {};
    const elsewhere = await serve((req, res) => {
      seen = req.headers;
      res.end("ok");
    });
    const base = await serve((_req, res) => {
      res.writeHead(302, { location: `${elsewhere}/repo` }).end();
    });
    const http = createHttpClient({ policy: loopbackPolicy });
    await http.request({ url: `${base}/repo`, headers: { Authorization: "Basic abc" } });
    expect(seen.authorization).toBeUndefined();
  });

  it("checks every redirect hop: a literal metadata address", async () => {
    const base = await serve((_req, res) => {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" }).end();
    });
    const http = createHttpClient({ policy: loopbackPolicy });
    await expect(http.request({ url: `${base}/repo` })).rejects.toThrow(PolicyViolationError);
    expect(http.failure).toBeInstanceOf(PolicyViolationError);
  });

  it("checks every redirect hop: a name resolving to a metadata address", async () => {
    const base = await serve((_req, res) => {
      res.writeHead(302, { location: "http://metadata.test/latest" }).end();
    });
    const http = createHttpClient({ policy: loopbackPolicy });
    await expect(http.request({ url: `${base}/repo` })).rejects.toThrow(
      /metadata\.test resolves to 169\.254\.169\.254, which is refused/,
    );
  });

  it("connects through names only to addresses the policy allows", async () => {
    const base = await serve((_req, res) => {
      res.end("ok");
    });
    const http = createHttpClient({ policy: loopbackPolicy });
    const response = await http.request({ url: base.replace("127.0.0.1", "git.test") });
    expect(await text(response)).toBe("ok");
  });

  it("gives up after too many redirects", async () => {
    const base = await serve((req, res) => {
      res.writeHead(302, { location: `${req.url}x` }).end();
    });
    const http = createHttpClient({ policy: loopbackPolicy, maxRedirects: 3 });
    await expect(http.request({ url: `${base}/r` })).rejects.toThrow(/redirected more than 3 times/);
  });

  it("caps the bytes received over all requests of one client", async () => {
    const base = await serve((_req, res) => {
      res.end(Buffer.alloc(600));
    });
    const http = createHttpClient({ policy: loopbackPolicy, maxBytes: 1_000 });
    await text(await http.request({ url: `${base}/a` }));
    await expect(text(await http.request({ url: `${base}/b` }))).rejects.toThrow(LimitExceededError);
    expect(http.bytesReceived).toBeGreaterThan(1_000);
  });

  it("times out a server that does not answer", async () => {
    const base = await serve(() => {
      // never answers
    });
    const http = createHttpClient({ policy: loopbackPolicy, timeoutMs: 200 });
    const attempt = http.request({ url: `${base}/slow` });
    await expect(attempt).rejects.toThrow(SourceUnavailableError);
    await expect(attempt).rejects.toThrow(/timed out after 200 ms/);
  });

  it("times out a response body that stalls", async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200);
      res.write("partial");
    });
    const http = createHttpClient({ policy: loopbackPolicy, timeoutMs: 200 });
    const response = await http.request({ url: `${base}/stall` });
    await expect(text(response)).rejects.toThrow(/timed out/);
  });
});
