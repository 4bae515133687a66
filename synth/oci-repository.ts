/**
 * The OCIRepository child: a Helm chart stored as an OCI artifact, for a HelmRelease `chartRef`.
 * @module
 */

import { Construct } from "constructs";
import semver from "semver";
import { InvalidInputError } from "../crds/errors.js";
import { type SourceChildProps, sourceChild } from "./child.js";
import {
  OciRepository,
  OciRepositorySpecLayerSelectorOperation,
} from "./imports/source.toolkit.fluxcd.io.js";

/** The media type of a Helm chart's layer in an OCI artifact. */
export const HELM_CHART_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/**
 * Props of {@link OciRepositoryChild}.
 * @see https://fluxcd.io/flux/components/source/ocirepositories/
 */
export interface OciRepositoryChildProps extends SourceChildProps {
  /** The chart's `oci://` URL, without a tag. */
  readonly url: string;
  /**
   * The chart version: an exact version is fetched by tag, a range by semver over the tags.
   * @default - the `latest` tag
   */
  readonly version?: string;
}

/**
 * A `source.toolkit.fluxcd.io/v1` OCIRepository whose artifact is the chart's `.tgz` layer, copied
 * as it is, which is what a HelmRelease `chartRef` expects.
 */
export class OciRepositoryChild extends Construct {
  /** The Flux object. */
  readonly apiObject: OciRepository;

  constructor(scope: Construct, id: string, props: OciRepositoryChildProps) {
    super(scope, id);
    const { metadata, spec } = sourceChild("OCIRepository", props, ["oci"]);
    if (props.version !== undefined && semver.validRange(props.version) === null) {
      throw new InvalidInputError(
        `OCIRepository '${props.name}': version '${props.version}' must be a version or a semver range`,
      );
    }
    this.apiObject = new OciRepository(this, "Resource", {
      metadata,
      spec: {
        ...spec,
        ref: ociRef(props.version),
        layerSelector: {
          mediaType: HELM_CHART_MEDIA_TYPE,
          operation: OciRepositorySpecLayerSelectorOperation.COPY,
        },
      },
    });
  }
}

/** Helm pushes a chart under its version as the tag, with `+` (not allowed in tags) as `_`. */
function ociRef(version: string | undefined): { tag: string } | { semver: string } {
  if (version === undefined) return { tag: "latest" };
  return semver.valid(version) !== null ? { tag: version.replaceAll("+", "_") } : { semver: version };
}
