#!/usr/bin/env node
// Runs the TypeScript sources through tsx's ESM loader so `npx pctl` works without a build step.
import { register } from "tsx/esm/api";

register();
const { run } = await import("../main.ts");
process.exitCode = await run(process.argv);
