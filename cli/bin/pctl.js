#!/usr/bin/env node
// Runs the TypeScript sources through tsx's ESM loader so `npx pctl` works without a build step.
import { register } from "tsx/esm/api";

// A reader that stops early (`pctl search | head`) closes the pipe; that ends the output, not pctl
// with a stack trace.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { run } = await import("../main.ts");
process.exitCode = await run(process.argv);
