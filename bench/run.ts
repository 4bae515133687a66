/**
 * Runs the benches: every `bench/*.ts` beside this file, one after the other, each in this process.
 * `npm run bench` runs them all; `npm run bench -- source-fetch` only those whose name contains an argument.
 *
 * A bench module exports a default `async () => void` that prints its own report, measured against a
 * baseline run in the same process (see STYLE.md, "Our layout").
 * @module
 */
import { readdir } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = (await readdir(here))
  .filter((file) => file.endsWith(".ts") && file !== basename(fileURLToPath(import.meta.url)))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(`no bench matches ${filters.join(", ")}`);
  process.exitCode = 1;
}
for (const file of files) {
  const module = (await import(pathToFileURL(`${here}/${file}`).href)) as { default?: () => Promise<void> };
  if (typeof module.default !== "function") throw new Error(`bench/${file} has no default export to run`);
  console.log(`\n## ${file.replace(/\.ts$/, "")}\n`);
  await module.default();
}
