/**
 * The HelmRepository child: a Helm repository (`index.yaml` over HTTP) shared by every chart of a
 * subscription served from it.
 * @module
 */

import { Construct } from "constructs";
import { type SourceChildProps, sourceChild } from "./child.js";
import { HelmRepository } from "./imports/source.toolkit.fluxcd.io.js";

/**
 * Props of {@link HelmRepositoryChild}.
 * @see https://fluxcd.io/flux/components/source/helmrepositories/
 */
export interface HelmRepositoryChildProps extends SourceChildProps {
  /** The repository's `http://` or `https://` URL. OCI registries take an OCIRepository instead. */
  readonly url: string;
}

/** A `source.toolkit.fluxcd.io/v1` HelmRepository of the default (HTTP index) type. */
export class HelmRepositoryChild extends Construct {
  /** The Flux object. */
  readonly apiObject: HelmRepository;

  constructor(scope: Construct, id: string, props: HelmRepositoryChildProps) {
    super(scope, id);
    this.apiObject = new HelmRepository(
      this,
      "Resource",
      sourceChild("HelmRepository", props, ["http", "https"]),
    );
  }
}
