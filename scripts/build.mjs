// Builds every app with the Nest CLI (monorepo mode, tsc builder), in parallel.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { sourceFingerprint, writeBuildStamp } from './build-stamp.mjs';

const apps = ['sandbox', 'web-bff', 'mobile-bff', 'admin-bff'];
// Taken before building: a source edited during the build makes the next start build again.
const fingerprint = sourceFingerprint(process.cwd());
rmSync('dist', { recursive: true, force: true });

const build = (app) =>
  new Promise((resolve, reject) => {
    const child = spawn('nest', ['build', app], { stdio: 'inherit', shell: false });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`nest build ${app} exited ${code}`)),
    );
    child.on('error', reject);
  });

const started = Date.now();
try {
  await Promise.all(apps.map(build));
  writeBuildStamp('dist', fingerprint);
  console.log(`built ${apps.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
