/**
 * `--catalog FILE|DIR`: ProfileCatalogSource YAML read from disk and scanned on this machine with the
 * catalog sync hook itself, so the offline catalog serves exactly what the cluster's would. Repository
 * URLs that are directory paths are read from disk (`hooks/catalog/local.ts`), relative to the working
 * directory, as `npm start`'s embedded catalog reads them.
 * @module
 */

import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { InvalidInputError, NotFoundError } from "../../crds/errors.js";
import type { CompositeHookRequest, KubernetesObject } from "../../crds/metacontroller.js";
import {
  type CatalogProfile,
  PROFILE_CATALOG_SOURCE_KIND,
  parseProfileCatalogSource,
} from "../../crds/profile-catalog-source.js";
import { parseYamlAll } from "../../crds/yaml.js";
import { CatalogIndex } from "../../hooks/catalog/catalog-index.js";
import { describeLocalEntries, localPolicy, localSources } from "../../hooks/catalog/local.js";
import { catalogSync } from "../../hooks/catalog/sync.js";
import { createSourceFetcher } from "../../hooks/sources/fetcher.js";
import { createSourcePolicy, sourcePolicyOptionsFromEnv } from "../../hooks/sources/policy.js";
import type { CliContext } from "../context.js";
import { gitCredentialsFromEnv } from "../credentials.js";
import { type CatalogClient, indexClient } from "./client.js";

/**
 * Reads every ProfileCatalogSource in `path` (a YAML file, or the `.yaml`/`.yml` files of a directory),
 * scans their repositories and serves the result. Scan problems are written as notes, as the cluster
 * would report them in the catalog's conditions.
 *
 * @throws NotFoundError when `path` does not exist; InvalidInputError when it holds no catalog.
 */
export async function openLocalCatalog(path: string, context: CliContext): Promise<CatalogClient> {
  const documents = await readCatalogDocuments(path);
  const policy = createSourcePolicy(sourcePolicyOptionsFromEnv(context.env));
  const fetcher = createSourceFetcher({ policy });
  const index = new CatalogIndex();
  const sync = catalogSync({
    sources: localSources({ baseDir: context.cwd, remote: fetcher }),
    policy: localPolicy(policy),
    index,
  });
  try {
    for (const { document, file } of documents) {
      const catalog = parseProfileCatalogSource(document, { source: file });
      const name = `${catalog.metadata.namespace ?? "default"}/${catalog.metadata.name}`;
      const parent = {
        ...(document as KubernetesObject),
        metadata: { ...catalog.metadata, namespace: catalog.metadata.namespace ?? "default", generation: 1 },
      };
      const request = {
        parent,
        children: {},
        related: { "Secret.v1": secretsFor(catalog.spec.repositories ?? [], context.env) },
        finalizing: false,
      } as unknown as CompositeHookRequest;
      const answer = await context.progress.step(`scanning catalog ${name}`, () =>
        syncUntilScanned(sync, request),
      );
      const status = answer.status as {
        profiles?: CatalogProfile[];
        rejected?: { entry: string; reason: string }[];
        conditions?: unknown[];
      };
      // Entries listed by hand with a directory URL get their description and parameters from disk.
      index.replace(
        { namespace: parent.metadata.namespace, name: catalog.metadata.name },
        await describeLocalEntries(status.profiles ?? [], context.cwd),
      );
      for (const rejected of status.rejected ?? []) {
        context.note(`catalog ${name}: ${rejected.entry} is not served: ${rejected.reason}`);
      }
      for (const condition of (status.conditions ?? []) as {
        type: string;
        status: string;
        message?: string;
      }[]) {
        if (condition.type === "Ready" && condition.status === "False") {
          context.note(`catalog ${name}: ${condition.message ?? "not ready"}`);
        }
      }
    }
  } finally {
    await fetcher.close();
  }
  return indexClient(index, path);
}

// Offline there is no Secret to read: the credentials the user has for git stand in for any secretRef.
function secretsFor(
  repositories: readonly { secretRef?: { name: string } | undefined }[],
  env: NodeJS.ProcessEnv,
): Record<string, KubernetesObject> {
  const credentials = gitCredentialsFromEnv(env);
  if (credentials === undefined) return {};
  const data =
    "bearerToken" in credentials
      ? { bearerToken: credentials.bearerToken }
      : { username: credentials.username, password: credentials.password };
  const encoded = Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
  );
  const secrets: Record<string, KubernetesObject> = {};
  for (const { secretRef } of repositories) {
    if (secretRef) {
      secrets[secretRef.name] = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: secretRef.name },
        data: encoded,
      } as KubernetesObject;
    }
  }
  return secrets;
}

async function readCatalogDocuments(path: string): Promise<{ document: unknown; file: string }[]> {
  let files: string[];
  try {
    files = (await stat(path)).isDirectory()
      ? (await readdir(path))
          .filter((f) => [".yaml", ".yml"].includes(extname(f)))
          .sort()
          .map((f) => join(path, f))
      : [path];
  } catch {
    throw new NotFoundError(`catalog file or directory ${path} does not exist`, {
      data: { hint: "pass --catalog with a ProfileCatalogSource YAML file or a directory of them" },
    });
  }
  const documents: { document: unknown; file: string }[] = [];
  for (const file of files) {
    for (const document of parseYamlAll(await readFile(file, "utf8"), { source: file })) {
      if ((document as { kind?: unknown } | null)?.kind === PROFILE_CATALOG_SOURCE_KIND) {
        documents.push({ document, file });
      }
    }
  }
  if (documents.length === 0) {
    throw new InvalidInputError(`${path} holds no ${PROFILE_CATALOG_SOURCE_KIND}`, {
      data: {
        hint: `write a ${PROFILE_CATALOG_SOURCE_KIND} there (see docs/kinds/profile-catalog-source.md)`,
      },
    });
  }
  return documents;
}

// The sync hook reads a large first scan over several syncs (Reconciling=True meanwhile); offline there
// is no resync, so feed each status back until the scan is complete.
async function syncUntilScanned(
  sync: ReturnType<typeof catalogSync>,
  request: CompositeHookRequest,
): Promise<Awaited<ReturnType<ReturnType<typeof catalogSync>>>> {
  let answer = await sync(request);
  for (let round = 0; round < 1000 && reconciling(answer.status); round++) {
    answer = await sync({ ...request, parent: { ...request.parent!, status: answer.status ?? {} } });
  }
  return answer;
}

function reconciling(status: unknown): boolean {
  const conditions = (status as { conditions?: { type: string; status: string }[] } | null)?.conditions ?? [];
  return conditions.some((c) => c.type === "Reconciling" && c.status === "True");
}
