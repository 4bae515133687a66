/**
 * `npm run synth`: writes `deploy/` from synth/deploy/. Files no longer produced are removed, so
 * the folder always equals a fresh synth and CI's `git diff --exit-code deploy/` means something.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { synthDeploy } from "./deploy/app.js";

const deployDir = join(dirname(fileURLToPath(import.meta.url)), "..", "deploy");
const files = synthDeploy();
const wanted = new Set(files.map((file) => file.path));

for (const entry of readdirSync(deployDir, { recursive: true, withFileTypes: true })) {
  const path = relative(deployDir, join(entry.parentPath, entry.name));
  if (entry.isFile() && !wanted.has(path)) rmSync(join(deployDir, path));
}
for (const file of files) {
  mkdirSync(dirname(join(deployDir, file.path)), { recursive: true });
  writeFileSync(join(deployDir, file.path), file.content);
}
console.log(`synth: wrote ${files.length} files to ${relative(process.cwd(), deployDir) || "."}`);
