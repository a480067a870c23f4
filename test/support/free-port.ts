import { createServer } from 'node:net';

/** Below Linux's ephemeral range (32768-60999): listen(0) and outgoing connections never take it. */
const LOW = 20_000;
const HIGH = 32_000;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port for a server that must be named before it starts (an IdP callback, a
 * Redis of the test's own). Taken outside the ephemeral range: a port from listen(0) that is
 * closed again can be handed to any other socket of the run before the server binds it (seen as
 * EADDRINUSE in the browser test).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}

/** A port nothing listens on (a downstream or Redis that is down from the start). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
