// What a build was made from: one SHA-256 over every source file the build reads, stored next to
// the output. `npm start` compares it with the sources to skip a build when nothing changed.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const TOP_FILES = ['package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];
const SOURCE_DIRS = ['apps', 'libs'];
// Specs and e2e tests are not part of the build (tsconfig.build.json leaves them out).
const isSource = (name) => /\.(ts|json)$/.test(name) && !/\.(spec|e2e-spec)\.ts$/.test(name);

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile() && isSource(entry.name)) out.push(path);
  }
}

/** Hash of the paths and contents of the build's sources under `root` (order-independent). */
export function sourceFingerprint(root) {
  const files = TOP_FILES.map((f) => join(root, f)).filter((f) => existsSync(f));
  for (const dir of SOURCE_DIRS) if (existsSync(join(root, dir))) walk(join(root, dir), files);
  const hash = createHash('sha256');
  for (const file of files.map((f) => relative(root, f)).sort()) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

const stampOf = (distDir) => join(distDir, '.sources.sha256');

/** True when `distDir` holds a build of exactly these sources. */
export function isBuildCurrent(distDir, fingerprint) {
  const stamp = stampOf(distDir);
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === fingerprint;
}

/** Records that `distDir` was built from `fingerprint` (after a successful build only). */
export function writeBuildStamp(distDir, fingerprint) {
  writeFileSync(stampOf(distDir), `${fingerprint}\n`);
}
