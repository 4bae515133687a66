/**
 * The values ConfigMap child: Helm values a chart's HelmRelease reads through `valuesFrom`. The
 * profile's default values go in `<child>-defaults`, read first, so everything the subscription sets
 * wins over them; the subscription's inline values go in `<child>-values`, read last, when they hold
 * a null, which no child spec can carry.
 * @module
 */

import { ApiObject } from "cdk8s";
import { Construct } from "constructs";
import { type ChildProps, checkName, childMetadata } from "./child.js";
import { sortKeys, type Values } from "./values.js";

/** The ConfigMap key holding the values, Flux's default `valuesKey`. */
const VALUES_KEY = "values.yaml";

/**
 * The label that makes helm-controller reconcile a HelmRelease as soon as a ConfigMap it reads
 * changes, rather than at its next interval.
 */
export const WATCH_LABEL = { "reconcile.fluxcd.io/watch": "Enabled" } as const;

/** Props of {@link ValuesConfigMap}. */
export interface ValuesConfigMapProps extends ChildProps {
  /** The values, written under {@link VALUES_KEY}. */
  readonly values: Values;
}

/**
 * A `v1` ConfigMap holding Helm values under `values.yaml`, labelled for helm-controller's watch.
 *
 * The values are written as JSON, which is YAML too: YAML 1.1 readers (Helm's included) read an
 * unquoted `yes`, `on` or `0755` as a boolean or a number, and JSON leaves no string unquoted. Keys
 * are sorted, so the same values always give the same bytes.
 */
export class ValuesConfigMap extends Construct {
  /** The ConfigMap. */
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ValuesConfigMapProps) {
    super(scope, id);
    // ConfigMap names are DNS subdomains; Flux never copies this one into a label.
    checkName("ConfigMap", props.name, 253);
    this.apiObject = new ApiObject(this, "Resource", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: childMetadata({ ...props, labels: { ...props.labels, ...WATCH_LABEL } }),
      data: { [VALUES_KEY]: `${JSON.stringify(sortKeys(props.values), null, 2)}\n` },
    });
  }
}
