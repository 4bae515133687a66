/**
 * Opening the catalog the user named, and picking a profile version out of it.
 * @module
 */

import { NotFoundError } from "../../crds/errors.js";
import type { CatalogProfile } from "../../crds/profile-catalog-source.js";
import type { ProfileDetails } from "../../hooks/api/schemas.js";
import { pickVersion } from "../../hooks/catalog/resolve.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../errors.js";
import { type CatalogClient, catalogNamespace, httpClient } from "./client.js";
import { openLocalCatalog } from "./local.js";
import { formatReference, type ProfileReference } from "./reference.js";

/**
 * The catalog of `--catalog`, `--catalog-url`, `PCTL_CATALOG_URL` or `.pctl/config.yaml`.
 *
 * @throws UsageError when none is configured.
 */
export async function openCatalog(context: CliContext): Promise<CatalogClient> {
  const location = context.catalog;
  if (location === undefined) {
    throw new UsageError("no catalog to ask", {
      hint: "pass --catalog-url URL (or set PCTL_CATALOG_URL) or --catalog FILE|DIR, or store one with `pctl bootstrap`",
    });
  }
  if ("url" in location) return httpClient(location.url);
  return openLocalCatalog(location.path, context);
}

/** A profile's details and the version a reference picks. */
export interface PickedVersion {
  readonly details: ProfileDetails;
  readonly entry: CatalogProfile;
}

/**
 * The profile and version `ref` names: the exact version, the highest in a range, or the latest.
 *
 * @throws NotFoundError naming the versions there are when none matches.
 */
export async function pickProfileVersion(
  client: CatalogClient,
  ref: ProfileReference,
): Promise<PickedVersion> {
  const namespace = await catalogNamespace(client, ref);
  const details = await client.details({ namespace, catalog: ref.catalog, profile: ref.profile });
  const entry = pickVersion(details.versions, ref.version);
  if (entry === undefined) {
    const available = details.versions.map((v) => v.version);
    throw new NotFoundError(
      `no version of ${formatReference(ref)} matches ${ref.version}; available: ${available.join(", ")}`,
      {
        data: {
          available,
          hint: `pick one of the available versions, for example \`${formatReference(ref)}@${details.latest}\``,
        },
      },
    );
  }
  return { details, entry };
}
