/**
 * The error a call throws, for tests that look into it rather than only match its message.
 * @module
 */

/** What `fn` throws, as the type the caller expects; fails the test when it throws nothing. */
export function caught<E = Error>(fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    return error as E;
  }
  throw new Error("expected an error");
}
