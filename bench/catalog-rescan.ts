/**
 * Catalog rescan bench: a repository with 500 profile tags (50 profiles × 10 versions), already in the
 * catalog's status, rescanned when nothing is new, by a hook process with cold caches (a restart), as
 * the scan after every interval does once the fetcher's ref TTL has passed.
 *
 * Goal: exactly one ref discovery at the git server and no pack. The time is reported against a floor
 * measured in the same run: the fetcher's bare tag listing of the same repository.
 * @module
 */
import { performance } from "node:perf_hooks";
import type { CompositeHookRequest } from "../crds/metacontroller.js";
import { CatalogIndex } from "../hooks/catalog/catalog-index.js";
import { catalogSync } from "../hooks/catalog/sync.js";
import { createSourceFetcher } from "../hooks/sources/fetcher.js";
import { createSourcePolicy } from "../hooks/sources/policy.js";
import { catalogRequest } from "../test/hooks/catalog/requests.js";
import { GitServer } from "../test/support/git-server.js";
import { median } from "./support/stats.js";

const profiles = 50;
const versionsEach = 10;
const runs = 15;
const policy = createSourcePolicy({ allowHttp: true, allowLoopback: true });

/** One commit per version, each changing that profile's profile.yaml, tagged `<dir>/v1.<n>.0`. */
function history(): string {
  const out: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  let mark = 0;
  for (let v = 0; v < versionsEach; v++) {
    for (let p = 0; p < profiles; p++) {
      mark++;
      const name = `app${p}`;
      const profile = [
        "apiVersion: profiles.pctl.dev/v1alpha1",
        "kind: Profile",
        `metadata: { name: ${name} }`,
        "spec:",
        `  description: ${name} version 1.${v}.0`,
        "  artifacts:",
        "    - name: config",
        "      kustomize: { path: manifests }",
        "",
      ].join("\n");
      out.push(
        `commit refs/heads/main\nmark :${mark}\ncommitter bench <bench@pctl.dev> ${1_700_000_000 + mark} +0000\n`,
      );
      out.push(data(`${name} 1.${v}.0`));
      if (mark > 1) out.push(`from :${mark - 1}\n`);
      out.push(`M 100644 inline ${name}/profile.yaml\n${data(profile)}`);
      out.push(`reset refs/tags/${name}/v1.${v}.0\nfrom :${mark}\n\n`);
    }
  }
  return out.join("");
}

function request(status: unknown, url: string): CompositeHookRequest {
  return catalogRequest({
    name: "bench",
    namespace: "default",
    spec: { repositories: [{ url }], interval: "5m" },
    status,
  });
}

export default async function catalogRescan(): Promise<void> {
  const server = await GitServer.create();
  try {
    const repo = await server.createRepository("tags");
    await repo.fastImport(history());
    const url = server.urlOf("tags");
    let nowMs = Date.parse("2026-01-01T00:00:00Z");

    // The first scan, read over as many syncs as the per-sync read budget needs.
    const first = createSourceFetcher({ policy, now: () => nowMs });
    const firstSync = catalogSync({ sources: first, index: new CatalogIndex(), now: () => nowMs });
    let status: { profiles?: unknown[]; repositories?: { scannedTags?: string[]; lastScanTime?: string }[] } =
      {};
    const firstSyncs: number[] = [];
    do {
      const start = performance.now();
      status = (await firstSync(request(firstSyncs.length === 0 ? undefined : status, url)))
        .status as typeof status;
      firstSyncs.push(performance.now() - start);
    } while (status.repositories?.[0]?.lastScanTime === undefined);
    await first.close();
    const tags = status.repositories?.[0]?.scannedTags?.length ?? 0;
    const initialFetches = server.count("fetch");

    const ms = (value: number) => `${value.toFixed(2)} ms`;
    const rescans: number[] = [];
    const floors: number[] = [];
    let discoveries = 0;
    let packs = 0;
    let requests = 0;
    for (let run = 0; run < runs; run++) {
      nowMs += 5 * 60_000;
      const sources = createSourceFetcher({ policy, now: () => nowMs });
      const sync = catalogSync({ sources, index: new CatalogIndex(), now: () => nowMs });
      server.clearLog();
      let start = performance.now();
      const answer = await sync(request(status, url));
      rescans.push(performance.now() - start);
      discoveries += server.count("ls-refs");
      packs += server.count("fetch");
      requests += server.requests.length;
      const rescanned = answer.status as { profiles?: unknown[] };
      if (rescanned.profiles?.length !== status.profiles?.length) throw new Error("the rescan lost profiles");
      await sources.close();

      const bare = createSourceFetcher({ policy, now: () => nowMs });
      start = performance.now();
      await bare.listTags({ url });
      floors.push(performance.now() - start);
      await bare.close();
    }
    console.log(
      `repository: ${tags} profile tags (${profiles} profiles × ${versionsEach} versions); first scan: ${firstSyncs.length} syncs, ${initialFetches} packs, slowest sync ${ms(Math.max(...firstSyncs))} (hook timeout 30 s)`,
    );
    console.log(
      `rescan with nothing new, cold caches, per rescan: ${discoveries / runs} ref discovery (ls-refs), ${packs / runs} packs, ${requests / runs} HTTP requests (capability advertisement + ls-refs)`,
    );
    console.log(
      `goal one ref discovery and no pack: ${discoveries === runs && packs === 0 ? "met" : "MISSED"}`,
    );
    console.log(`rescan (sync hook), median of ${runs}: ${ms(median(rescans))}`);
    console.log(`floor (fetcher listTags alone), median of ${runs}: ${ms(median(floors))}`);
    console.log(`ratio rescan / floor: ${(median(rescans) / median(floors)).toFixed(2)}x`);
  } finally {
    await server.close();
  }
}
