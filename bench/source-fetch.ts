/**
 * Source fetch bench: a profile from a repository with a long history, fetched by our fetcher
 * (isomorphic-git over our http client) against `git clone --depth 1 --single-branch` by the git CLI,
 * both from the same local git http-backend in the same run.
 *
 * - cold: a fresh fetcher (empty caches and object store) resolves `main` and reads the profile;
 * - warm: the ref has not moved and the ref TTL is 0, so each sync is one ref discovery and a cache read;
 *   the test server spawns git http-backend per request, so the client's own share is printed as well
 *   (total minus the server's time on those requests), beside `git ls-remote` as the baseline;
 * - cached: within the ref TTL, no request at all.
 *
 * Goals: cold within 1.5x of the git CLI; warm under 5 ms median.
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createSourceFetcher } from "../hooks/sources/fetcher.js";
import { createSourcePolicy } from "../hooks/sources/policy.js";
import { git } from "../test/support/git-repo.js";
import { GitServer } from "../test/support/git-server.js";
import { median } from "./support/stats.js";

const commits = 2_000;
const coldRuns = 9;
const warmRuns = 200;
const policy = createSourcePolicy({ allowHttp: true, allowLoopback: true });

/** A fast-import stream: one commit adding a profile directory, then `count` commits touching several files. */
function history(count: number): string {
  const out: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const file = (path: string, text: string) => `M 100644 inline ${path}\n${data(text)}`;
  const profile = [
    "apiVersion: profiles.pctl.dev/v1alpha1",
    "kind: Profile",
    "metadata: { name: app }",
    "spec:",
    "  description: bench profile",
    "  artifacts:",
    "    - name: config",
    "      kustomize: { path: manifests }",
    "",
  ].join("\n");
  for (let i = 1; i <= count; i++) {
    out.push(
      `commit refs/heads/main\nmark :${i}\ncommitter bench <bench@pctl.dev> ${1_700_000_000 + i} +0000\n`,
    );
    out.push(data(`change ${i}`));
    if (i > 1) out.push(`from :${i - 1}\n`);
    if (i === 1) out.push(file("app/profile.yaml", profile));
    // Several files change in every commit, so the history is large while the tip stays small.
    for (let f = 0; f < 4; f++) {
      const path = f === 0 ? `app/manifests/config-${i % 5}.yaml` : `src/module-${(i + f) % 20}.txt`;
      const body = `commit ${i} file ${f}\n${"lorem ipsum dolor sit amet ".repeat(40)}${i * 7919 + f}\n`;
      out.push(
        file(path, f === 0 ? `kind: ConfigMap\nmetadata: { name: c${i % 5} }\ndata: { v: "${i}" }\n` : body),
      );
    }
  }
  return out.join("");
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

export default async function sourceFetch(): Promise<void> {
  const server = await GitServer.create();
  const scratch = await mkdtemp(join(tmpdir(), "pctl-bench-"));
  try {
    const repo = await server.createRepository("history");
    await repo.fastImport(history(commits));
    const url = server.urlOf("history");
    const request = { url, ref: { branch: "main" }, path: "app" } as const;

    const ours: number[] = [];
    const cli: number[] = [];
    // Interleaved, so that drift in the machine's load hits both sides alike.
    for (let run = 0; run < coldRuns; run++) {
      const sources = createSourceFetcher({ policy, fsDir: scratch });
      ours.push(await time(async () => sources.readProfileDir(await sources.resolve(request))));
      await sources.close();
      const target = join(scratch, `clone-${run}`);
      cli.push(
        await time(() => git(scratch, ["clone", "--quiet", "--depth", "1", "--single-branch", url, target])),
      );
    }

    const warm = createSourceFetcher({ policy, fsDir: scratch, refTtlMs: 0 });
    await warm.readProfileDir(await warm.resolve(request));
    server.clearLog();
    const warmTimes: number[] = [];
    const clientTimes: number[] = [];
    for (let run = 0; run < warmRuns; run++) {
      const before = server.requests.length;
      const elapsed = await time(async () => warm.readProfileDir(await warm.resolve(request)));
      const serverTime = server.requests.slice(before).reduce((sum, r) => sum + r.durationMs, 0);
      warmTimes.push(elapsed);
      clientTimes.push(elapsed - serverTime);
    }
    const warmRequests = server.requests.length / warmRuns;
    const packRequests = server.count("fetch");
    await warm.close();

    const lsRemote: number[] = [];
    for (let run = 0; run < coldRuns; run++) {
      lsRemote.push(await time(() => git(scratch, ["ls-remote", url, "refs/heads/main"])));
    }

    const cached = createSourceFetcher({ policy, fsDir: scratch });
    await cached.readProfileDir(await cached.resolve(request));
    const cachedTimes: number[] = [];
    for (let run = 0; run < warmRuns; run++) {
      cachedTimes.push(await time(async () => cached.readProfileDir(await cached.resolve(request))));
    }
    await cached.close();

    const ratio = median(ours) / median(cli);
    const ms = (value: number) => `${value.toFixed(2)} ms`;
    console.log(`repository: ${commits} commits, 4 files changed per commit; profile directory "app"`);
    console.log(`cold fetch, pctl (resolve + readProfileDir), median of ${coldRuns}: ${ms(median(ours))}`);
    console.log(`cold fetch, git clone --depth 1 --single-branch, median of ${coldRuns}: ${ms(median(cli))}`);
    console.log(
      `ratio pctl / git CLI: ${ratio.toFixed(2)}x (goal <= 1.5x: ${ratio <= 1.5 ? "met" : "MISSED"})`,
    );
    const warmMedian = median(warmTimes);
    console.log(
      `warm resolve, ref unchanged, median of ${warmRuns}: ${ms(warmMedian)} ` +
        `(goal < 5 ms: ${warmMedian < 5 ? "met" : "MISSED"}); ` +
        `${warmRequests} requests and ${packRequests} pack requests per sync`,
    );
    console.log(
      `  pctl's own time (total minus the server's time on those requests): ${ms(median(clientTimes))}`,
    );
    console.log(`  baseline, git ls-remote of the same ref, median of ${coldRuns}: ${ms(median(lsRemote))}`);
    console.log(
      `cached resolve, within the ref TTL (no request), median of ${warmRuns}: ${ms(median(cachedTimes))}`,
    );
  } finally {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
