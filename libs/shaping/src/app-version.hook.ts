import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ShapingInputError, UpgradeRequiredError } from './shaping.errors';

export const APP_VERSION_HEADER = 'x-app-version';
const VERSION = /^(\d{1,4})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?$/;

/** `2.3.1` -> 2_000_003_000_001-like comparable number; undefined when malformed. */
export function versionRank(version: string): number | undefined {
  const m = VERSION.exec(version);
  if (m === null) return undefined;
  return Number(m[1]) * 1e12 + Number(m[2] ?? 0) * 1e6 + Number(m[3] ?? 0);
}

/**
 * onRequest hook of the mobile BFF: an app older than `minVersion` (`X-App-Version`) gets 426
 * Upgrade Required before any work is done. A request without the header (web views, probes) is
 * served; a malformed one is a 400.
 */
export function minAppVersionHook(
  minVersion: string,
): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  const min = versionRank(minVersion);
  if (min === undefined) throw new Error(`Invalid minimum app version "${minVersion}"`);
  return (request, _reply, done) => {
    const sent = request.headers[APP_VERSION_HEADER];
    if (sent === undefined) return done();
    const rank = typeof sent === 'string' ? versionRank(sent.trim()) : undefined;
    if (rank === undefined) {
      return done(
        new ShapingInputError('INVALID_APP_VERSION', 'X-App-Version must look like 2.3.1'),
      );
    }
    if (rank < min) {
      return done(
        new UpgradeRequiredError(
          `App version ${String(sent).trim()} is no longer supported; please update to ${minVersion} or later`,
        ),
      );
    }
    done();
  };
}
