/**
 * Kubernetes label selector semantics (`metav1.LabelSelectorAsSelector`), for the harness.
 * @module
 */
import type { LabelSelector } from "../../../crds/metacontroller.js";

/**
 * Whether `labels` match `selector`. Requirements are ANDed; an empty selector matches everything
 * (callers that must refuse an empty selector check {@link isEmptySelector} first).
 */
export function matchesSelector(
  selector: LabelSelector | null | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (operator) {
      case "In":
        if (!has || !(values ?? []).includes(value as string)) return false;
        break;
      case "NotIn":
        if (has && (values ?? []).includes(value as string)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Whether a selector has neither `matchLabels` nor `matchExpressions` entries. */
export function isEmptySelector(selector: LabelSelector | null | undefined): boolean {
  return (
    Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0
  );
}
