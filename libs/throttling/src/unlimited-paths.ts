/** Health probes and metrics scrapes are never limited (neither before nor after authentication). */
export function isUnlimitedPath(url: string): boolean {
  for (const base of ['/health', '/metrics']) {
    if (url.startsWith(base)) {
      const next = url.charCodeAt(base.length);
      // End of path, "/" or "?".
      if (Number.isNaN(next) || next === 47 || next === 63) return true;
    }
  }
  return false;
}
