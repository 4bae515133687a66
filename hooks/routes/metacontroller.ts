/**
 * The route family one Metacontroller CompositeController calls: `POST /customize`, `/sync`, `/finalize`.
 *
 * Each route validates the envelope, runs a handler that is a pure function of the request (plus the
 * dependencies it was built with) and answers its JSON. Any failure answers non-200, so Metacontroller
 * keeps the last good state: a 200 with fewer children would delete the missing ones.
 * @module
 */
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import * as z from "zod";
import { InvalidInputError } from "../../crds/errors.js";
import {
  type CompositeHookRequest,
  type CustomizeHookRequest,
  type CustomizeHookResponse,
  compositeHookRequestSchema,
  compositeHookResponseV2Schema,
  customizeHookRequestSchema,
  customizeHookResponseSchema,
  desiredObjectSchema,
} from "../../crds/metacontroller.js";
import { invalidEnvelope } from "../errors.js";
import type { Metrics } from "../metrics.js";

/**
 * What a sync or finalize handler answers: Metacontroller's strict (v2) response, except that
 * `children` is required, because a missing list deletes every child.
 */
const syncAnswerSchema = compositeHookResponseV2Schema.extend({
  children: z.array(desiredObjectSchema),
});
export type SyncAnswer = z.input<typeof syncAnswerSchema>;

/** A sync or finalize handler. */
export type SyncHandler = (request: CompositeHookRequest) => Promise<SyncAnswer>;
/** A customize handler. */
export type CustomizeHandler = (request: CustomizeHookRequest) => Promise<CustomizeHookResponse>;

/** The handlers of one CompositeController. */
export interface CompositeHooks {
  /** Answers `POST /customize` [no route]. */
  readonly customize?: CustomizeHandler;
  /** Answers `POST /sync` while `finalizing` is false. */
  readonly sync: SyncHandler;
  /** Answers requests with `finalizing: true`, on `/finalize` or `/sync` [no route; such requests are refused]. */
  readonly finalize?: SyncHandler;
}

/** Options of {@link metacontrollerRoutes}. */
export interface MetacontrollerRoutesOptions extends CompositeHooks {
  /** Label of `pctl_hook_duration_seconds` and of messages, e.g. "subscription" ["hooks"]. */
  readonly name?: string;
  /** Where hook durations go [not recorded]. */
  readonly metrics?: Metrics;
}

class InvalidHookAnswerError extends Error {
  override readonly name = "InvalidHookAnswerError";
}

/**
 * Builds the routes of one CompositeController's hooks; mount them with `app.route(prefix, routes)`.
 *
 * Requests with `finalizing: true` go to `finalize` whichever of `/sync` or `/finalize` they reach,
 * because Metacontroller documents pointing both hooks at one URL and branching on `finalizing`.
 * @example app.route("/hooks/subscription", metacontrollerRoutes({ name: "subscription", sync, finalize }));
 */
export function metacontrollerRoutes({
  name = "hooks",
  customize,
  sync,
  finalize,
  metrics,
}: MetacontrollerRoutesOptions): Hono {
  const routes = new Hono();

  async function timed<T>(hook: string, run: () => Promise<T>): Promise<T> {
    const end = metrics?.hookDuration.startTimer({ hook: `${name}/${hook}` });
    try {
      const answer = await run();
      end?.({ outcome: "success" });
      return answer;
    } catch (error) {
      end?.({ outcome: "error" });
      throw error;
    }
  }

  function checked<S extends z.ZodType>(hook: string, schema: S, answer: unknown): z.output<S> {
    const result = schema.safeParse(answer);
    if (!result.success) {
      throw new InvalidHookAnswerError(
        `${name}/${hook} hook answered an invalid response: ${z.prettifyError(result.error)}`,
      );
    }
    return result.data;
  }

  const compositeRequest = zValidator("json", compositeHookRequestSchema, (result) => {
    if (!result.success) throw invalidEnvelope("sync request", result.error);
  });

  const syncOrFinalize = async (request: CompositeHookRequest) => {
    if (!request.finalizing)
      return checked("sync", syncAnswerSchema, await timed("sync", () => sync(request)));
    if (!finalize) {
      throw new InvalidInputError(
        "invalid sync request: finalizing: true but this server has no finalize hook; remove hooks.finalize from the CompositeController",
      );
    }
    return checked("finalize", syncAnswerSchema, await timed("finalize", () => finalize(request)));
  };

  routes.post("/sync", compositeRequest, async (c) => c.json(await syncOrFinalize(c.req.valid("json"))));
  if (finalize) {
    routes.post("/finalize", compositeRequest, async (c) =>
      c.json(await syncOrFinalize(c.req.valid("json"))),
    );
  }
  if (customize) {
    const customizeRequest = zValidator("json", customizeHookRequestSchema, (result) => {
      if (!result.success) throw invalidEnvelope("customize request", result.error);
    });
    routes.post("/customize", customizeRequest, async (c) => {
      const answer = await timed("customize", () => customize(c.req.valid("json")));
      return c.json(checked("customize", customizeHookResponseSchema, answer));
    });
  }
  return routes;
}
