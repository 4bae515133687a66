/**
 * Whether the server wants new traffic: `/readyz` answers from it, and shutdown turns it off first so
 * Kubernetes takes the pod out of its Service before the listener closes.
 * @module
 */

/** A readiness flag shared by `/readyz` and the shutdown sequence. */
export interface Readiness {
  /** True until {@link Readiness.shutDown} is called. */
  isReady(): boolean;
  /** Marks the server as going away; `/readyz` answers 503 from now on. */
  shutDown(): void;
}

/** A new readiness flag, ready. */
export function createReadiness(): Readiness {
  let ready = true;
  return {
    isReady: () => ready,
    shutDown: () => {
      ready = false;
    },
  };
}
