/**
 * A profile directory on disk read as the source fetcher returns a profile: every file, keyed by its
 * `/`-separated path from the directory, without `.git`.
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/** Every file below `dir` except those in `.git`, keyed by `/`-separated relative path. */
export async function readWorkingTree(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entry.name === ".git") continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.set(relative(dir, full).split(sep).join("/"), await readFile(full));
    }
  };
  await walk(dir);
  return files;
}
