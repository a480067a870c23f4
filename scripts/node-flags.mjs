// Node flags of every BFF process, wherever one is started: `npm start` (start-all.mjs), the
// benchmarks (bench/lib/scenarios.mjs) and the Kubernetes manifests (their `command`, checked
// against this list by test/deploy-kubernetes.e2e-spec.ts). Cluster workers inherit them from
// their primary. The list itself is scripts/bff-node-flags.json, so the test can read it too.
//
// --max-semi-space-size=16: under load V8 let the young generation grow to about 50 MB per
// semi-space on this 24 GB machine; 16 MB held peak RSS about 65 MB lower at the same CPU per
// request (measured 2026-12-01, README "Benchmarks"). Allocation-site pretenuring is turned off in
// code (libs/core runBff), so that holds for a BFF started without these flags too.
import { readFileSync } from 'node:fs';

export const BFF_NODE_FLAGS = JSON.parse(
  readFileSync(new URL('./bff-node-flags.json', import.meta.url), 'utf8'),
);
