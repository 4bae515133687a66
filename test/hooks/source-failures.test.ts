import { describe, expect, it } from "vitest";
import * as Reasons from "../../crds/conditions.js";
import {
  AuthenticationFailedError,
  CycleError,
  LimitExceededError,
  PolicyViolationError,
  SourceUnavailableError,
} from "../../crds/errors.js";
import { sourceFailureOf } from "../../hooks/source-failures.js";

const url = "https://git.example.com/org/profiles";

describe("sourceFailureOf", () => {
  it("retries an unreachable repository and waits for a change on everything else it knows", () => {
    const context = { url, secretName: "git-auth", noun: "repository" } as const;
    expect(sourceFailureOf(new SourceUnavailableError("connection refused"), context)).toEqual({
      reason: Reasons.SourceUnavailable,
      message: Reasons.sourceUnavailableMessage(url, "connection refused"),
      failure: "transient",
    });
    expect(sourceFailureOf(new AuthenticationFailedError("401"), context)).toEqual({
      reason: Reasons.AuthenticationFailed,
      message: Reasons.authenticationFailedMessage(url, "git-auth"),
      failure: "stalled",
    });
    expect(sourceFailureOf(new LimitExceededError("pack too large"), context)).toEqual({
      reason: Reasons.LimitExceeded,
      message: Reasons.limitExceededMessage("pack too large"),
      failure: "stalled",
    });
  });

  it("names the repository as the spec does in a policy refusal", () => {
    const refused = new PolicyViolationError("loopback addresses are not allowed");
    expect(sourceFailureOf(refused, { url, noun: "source" })?.message).toBe(
      Reasons.policyViolationMessage(`source ${url}`, "loopback addresses are not allowed"),
    );
    expect(sourceFailureOf(refused, { url, noun: "repository" })?.message).toBe(
      Reasons.policyViolationMessage(`repository ${url}`, "loopback addresses are not allowed"),
    );
  });

  it("leaves the codes whose meaning depends on the step to the step", () => {
    expect(sourceFailureOf(new CycleError("a -> b -> a"), { url, noun: "source" })).toBeUndefined();
  });
});
