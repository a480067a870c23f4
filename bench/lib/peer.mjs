// One peer gateway per process, the way each is typically written, proxying everything to UPSTREAM.
//   PEER=fastify-proxy  bare @fastify/http-proxy
//   PEER=fast-gateway   bare fast-gateway 3.4 (restana + fast-proxy-lite)
//   PEER=express        express 5 + http-proxy-middleware
//   PEER=express-full   the same plus what the BFF full-stack scenario does: prom-client metrics,
//                       RS256 JWT verification (jsonwebtoken, BENCH_PUBLIC_KEY), express-rate-limit
//                       keyed by subject (in memory, a limit never reached)
// Prints "READY <port>" once listening.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const kind = process.env.PEER;
const upstream = process.env.UPSTREAM;
const port = Number(process.env.PORT ?? 0);
const ready = (p) => process.stdout.write(`READY ${p}\n`);

if (kind === 'fastify-proxy') {
  const Fastify = require('fastify');
  const app = Fastify({ logger: false });
  await app.register(require('@fastify/http-proxy'), { upstream, prefix: '/' });
  await app.listen({ port, host: '127.0.0.1' });
  ready(app.server.address().port);
} else if (kind === 'fast-gateway') {
  const gateway = require('fast-gateway');
  const server = gateway({ routes: [{ prefix: '/api', prefixRewrite: '/api', target: upstream }] });
  const http = await server.start(port, '127.0.0.1');
  ready(http.address().port);
} else if (kind === 'express' || kind === 'express-full') {
  const express = require('express');
  const { createProxyMiddleware } = require('http-proxy-middleware');
  const app = express();
  app.disable('x-powered-by');
  if (kind === 'express-full') {
    const client = require('prom-client');
    const jwt = require('jsonwebtoken');
    const { rateLimit } = require('express-rate-limit');
    const publicKey = process.env.BENCH_PUBLIC_KEY;
    client.collectDefaultMetrics();
    const duration = new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'Request duration',
      labelNames: ['method', 'route', 'status_code'],
    });
    app.get('/metrics', async (_req, res) => {
      res.set('content-type', client.register.contentType).send(await client.register.metrics());
    });
    app.use((req, res, next) => {
      const end = duration.startTimer({ method: req.method, route: '/api' });
      res.on('finish', () => end({ status_code: res.statusCode }));
      next();
    });
    app.use((req, res, next) => {
      const header = req.headers.authorization ?? '';
      if (!header.startsWith('Bearer ')) return res.status(401).json({ error: 'unauthorized' });
      try {
        req.user = jwt.verify(header.slice(7), publicKey, {
          algorithms: ['RS256'],
          audience: 'web-bff',
          issuer: process.env.BENCH_ISSUER,
        });
        next();
      } catch {
        res.status(401).json({ error: 'unauthorized' });
      }
    });
    app.use(
      rateLimit({
        windowMs: 60_000,
        limit: 1_000_000_000,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        keyGenerator: (req) => req.user.sub,
      }),
    );
  }
  app.use(createProxyMiddleware({ target: upstream, changeOrigin: true }));
  const server = app.listen(port, '127.0.0.1', () => ready(server.address().port));
} else {
  throw new Error(`unknown PEER ${kind}`);
}
process.on('SIGTERM', () => process.exit(0));
