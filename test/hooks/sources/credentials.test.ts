import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../crds/errors.js";
import { authCallback, credentialsFromSecretData } from "../../../hooks/sources/credentials.js";

describe("credentialsFromSecretData", () => {
  it("prefers a bearer token, else takes username and password", () => {
    expect(credentialsFromSecretData({ bearerToken: "t", username: "u", password: "p" }, "git")).toEqual({
      bearerToken: "t",
    });
    expect(credentialsFromSecretData({ username: "u", password: "p" }, "git")).toEqual({
      username: "u",
      password: "p",
    });
  });

  it("names the Secret and its keys, never a value, when neither form is there", () => {
    const read = () => credentialsFromSecretData({ username: "u", token: "hunter2" }, "git-credentials");
    expect(read).toThrow(InvalidInputError);
    expect(read).toThrow(
      /Secret "git-credentials" must hold either "bearerToken" or both "username" and "password"/,
    );
    expect(read).not.toThrow(/hunter2/);
  });
});

describe("authCallback", () => {
  it("answers basic credentials, a bearer header, or nothing without credentials", async () => {
    expect(await authCallback({ username: "u", password: "p" })?.("https://x", {})).toEqual({
      username: "u",
      password: "p",
    });
    expect(await authCallback({ bearerToken: "t" })?.("https://x", {})).toEqual({
      headers: { Authorization: "Bearer t" },
    });
    expect(authCallback(undefined)).toBeUndefined();
  });
});
