/**
 * A real smart-HTTP git server for tests and benches: `git http-backend` run as a CGI behind node:http on
 * 127.0.0.1 with an ephemeral port. It speaks protocol v2 when the client asks (the `Git-Protocol`
 * header is passed on as `GIT_PROTOCOL`), can require basic or bearer auth per repository, and logs
 * every request so a test can count ref discoveries and pack downloads.
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gunzipSync } from "node:zlib";
import { TestRepository } from "./git-repo.js";

/** Credentials a repository demands: basic auth, or a bearer token. */
export type RepositoryAuth =
  | { readonly username: string; readonly password: string }
  | { readonly bearerToken: string };

/**
 * What a request was for:
 * - `advertise`: `GET info/refs` (ref advertisement in v1, capabilities in v2);
 * - `ls-refs`: a v2 `command=ls-refs` POST;
 * - `fetch`: a pack request (v2 `command=fetch`, or a v1 `git-upload-pack` POST with wants);
 * - `other`: anything else (dumb HTTP paths, push).
 */
export type RequestKind = "advertise" | "ls-refs" | "fetch" | "other";

/** One logged request. */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly repository: string;
  readonly service: string | undefined;
  readonly kind: RequestKind;
  readonly protocol: 1 | 2;
  readonly status: number;
  /** Time the server spent on the request, from arrival to the last byte of the answer. */
  readonly durationMs: number;
}

/** A running git server; `stop()` and `start()` simulate an outage on the same port. */
export class GitServer {
  /** Every request since the last `clearLog()`, in arrival order. */
  readonly requests: RequestLogEntry[] = [];
  private readonly auth = new Map<string, RepositoryAuth>();
  private readonly server: Server;
  private port = 0;

  private constructor(
    /** Directory holding the bare repositories (`GIT_PROJECT_ROOT`). */
    readonly root: string,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  }

  /** Creates a temporary root and starts listening on 127.0.0.1 with an ephemeral port. */
  static async create(): Promise<GitServer> {
    const server = new GitServer(await mkdtemp(join(tmpdir(), "pctl-git-server-")));
    await server.start();
    return server;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The clone URL of a repository. */
  urlOf(name: string): string {
    return `${this.url}/${name}.git`;
  }

  /** Creates an empty bare repository, optionally private. */
  async createRepository(name: string, { auth }: { auth?: RepositoryAuth } = {}): Promise<TestRepository> {
    if (auth !== undefined) this.auth.set(name, auth);
    return TestRepository.create(this.root, name);
  }

  /** Number of logged requests of a kind, optionally for one repository only. */
  count(kind: RequestKind, repository?: string): number {
    return this.requests.filter(
      (r) => r.kind === kind && (repository === undefined || r.repository === repository),
    ).length;
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  /** Listens again, on the same port once one was chosen. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.port, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open connections, so clients see the server as down. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Stops the server and deletes its repositories. */
  async close(): Promise<void> {
    if (this.server.listening) await this.stop();
    await rm(this.root, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const repository = /^\/([^/]+?)(?:\.git)?\//.exec(url.pathname)?.[1] ?? "";
    const service = url.searchParams.get("service") ?? /\/(git-[a-z-]+)$/.exec(url.pathname)?.[1];
    const protocol = /version=2/.test(String(req.headers["git-protocol"] ?? "")) ? 2 : 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const kind = classify(req.method ?? "GET", url.pathname, body, req.headers["content-encoding"]);
    const log = (status: number) =>
      this.requests.push({
        method: req.method ?? "GET",
        path: url.pathname,
        repository,
        service,
        kind,
        protocol,
        status,
        durationMs: performance.now() - started,
      });

    const auth = this.auth.get(repository);
    if (auth !== undefined && !authorized(auth, req.headers.authorization)) {
      log(401);
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="pctl test"', "Content-Type": "text/plain" });
      res.end("authentication required\n");
      return;
    }
    const status = await this.cgi(req, res, url, body);
    log(status);
  }

  /** Runs `git http-backend` for one request and relays its CGI response. */
  private cgi(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<number> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: this.root,
      GIT_HTTP_EXPORT_ALL: "1",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      CONTENT_LENGTH: String(body.length),
      REMOTE_USER: "pctl",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
    };
    return new Promise((resolve, reject) => {
      const child = spawn("git", ["http-backend"], { env });
      let head = Buffer.alloc(0);
      let status = 200;
      let headersSent = false;
      child.on("error", reject);
      child.stdout.on("data", (chunk: Buffer) => {
        if (headersSent) {
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end === -1) return;
        const headers: Record<string, string> = {};
        for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
          const colon = line.indexOf(":");
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
          else headers[name] = value;
        }
        res.writeHead(status, headers);
        headersSent = true;
        res.write(head.subarray(end + 4));
      });
      child.on("close", () => {
        if (!headersSent) res.writeHead(502);
        res.end();
        resolve(headersSent ? status : 502);
      });
      // http-backend may answer (an error, a 304) without reading the request body.
      child.stdin.on("error", () => undefined);
      child.stderr.resume();
      child.stdin.end(body);
    });
  }
}

function classify(
  method: string,
  path: string,
  body: Buffer,
  encoding: string | string[] | undefined,
): RequestKind {
  if (method === "GET" && path.endsWith("/info/refs")) return "advertise";
  if (method !== "POST" || !path.endsWith("/git-upload-pack")) return "other";
  const text = (encoding === "gzip" ? gunzipSync(body) : body).toString("latin1");
  const command = /command=([a-z-]+)/.exec(text)?.[1];
  if (command === "ls-refs") return "ls-refs";
  if (command === "fetch" || /want [0-9a-f]{40}/.test(text)) return "fetch";
  return "other";
}

function authorized(auth: RepositoryAuth, header: string | undefined): boolean {
  if ("bearerToken" in auth) return header === `Bearer ${auth.bearerToken}`;
  const expected = Buffer.from(`${auth.username}:${auth.password}`).toString("base64");
  return header === `Basic ${expected}`;
}
