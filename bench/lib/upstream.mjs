// The fast upstream of every benchmark: plain node:http answering precomputed JSON.
//
// Path prefixes shape one answer, so a BFF downstream URL can point at a "slow" or "failing" service:
//   /d<ms>    answer after <ms> milliseconds        /s<code>  answer with that status
//   /c<sec>   add `cache-control: public, max-age=<sec>`
// Paths after the prefixes: the catalog/inventory/reviews paths the web BFF product page calls get
// their own payloads; every other path gets the ~1 KB product document. `/idp/...` serves an OIDC
// discovery document and the JWKS given in BENCH_JWKS; `/__stats` counts answers and tells the
// last caller's user-agent (which transport a BFF used).
import http from 'node:http';

const PRODUCT = {
  id: 'prd_0001',
  sku: 'SKU-0001-BLK',
  name: 'Trail Runner Pro 2 Lightweight Running Shoe',
  description:
    'A lightweight trail running shoe with a grippy outsole, a breathable mesh upper and a ' +
    'cushioned midsole for long runs on mixed terrain.',
  category: 'cat_shoes',
  brand: 'Northpeak',
  price: { amount: 89.9, currency: 'EUR' },
  images: [
    { url: 'https://cdn.example.com/p/prd_0001/1.jpg', alt: 'Side view', width: 1200, height: 900 },
    { url: 'https://cdn.example.com/p/prd_0001/2.jpg', alt: 'Sole', width: 1200, height: 900 },
  ],
  thumbnailUrl: 'https://cdn.example.com/p/prd_0001/thumb.jpg',
  featured: true,
  tags: ['running', 'trail', 'lightweight', 'outdoor'],
  attributes: { color: 'black', size: '42', material: 'mesh', weight: '280g', drop: '6mm' },
  createdAt: '2024-03-01T10:00:00.000Z',
  updatedAt: '2025-01-15T08:30:00.000Z',
  costPrice: 41.2,
  supplierId: 'sup_0042',
};
const card = (n) => ({
  ...PRODUCT,
  id: `prd_000${n}`,
  description: 'Related product.',
  images: PRODUCT.images.slice(0, 1),
});

const json = (value) => Buffer.from(JSON.stringify(value));
const BODIES = {
  product: json(PRODUCT),
  related: json({ items: [card(2), card(3), card(4), card(5)] }),
  inventory: json({
    productId: 'prd_0001',
    available: 17,
    reserved: 2,
    warehouses: [{ id: 'wh_1', name: 'Lyon', quantity: 17 }],
    restockDate: null,
    updatedAt: '2025-01-15T08:30:00.000Z',
  }),
  reviews: json({
    productId: 'prd_0001',
    averageRating: 4.3,
    count: 128,
    distribution: { 1: 3, 2: 5, 3: 12, 4: 40, 5: 68 },
  }),
  error: json({ error: 'unavailable' }),
};

const jwks = process.env.BENCH_JWKS ? JSON.parse(process.env.BENCH_JWKS) : { keys: [] };
let hits = 0;
let userAgent = '';

function bodyFor(path) {
  if (path.startsWith('/products/') && path.endsWith('/related')) return BODIES.related;
  if (path.startsWith('/inventory/')) return BODIES.inventory;
  if (path.startsWith('/reviews/summary/')) return BODIES.reviews;
  return BODIES.product;
}

function send(res, status, body, cacheSeconds) {
  const headers = { 'content-type': 'application/json', 'content-length': body.length };
  if (cacheSeconds !== undefined) headers['cache-control'] = `public, max-age=${cacheSeconds}`;
  res.writeHead(status, headers);
  res.end(body);
}

const PREFIX = /^\/([dsc])(\d+)(?=\/|$)/;

const server = http.createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  let path = req.url ?? '/';
  const q = path.indexOf('?');
  if (q !== -1) path = path.slice(0, q);
  if (path === '/__stats') return send(res, 200, json({ hits, userAgent }));
  if (path.startsWith('/idp/')) {
    const issuer = `http://${req.headers.host}/idp`;
    if (path === '/idp/.well-known/openid-configuration') {
      return send(res, 200, json({ issuer, jwks_uri: `${issuer}/jwks` }));
    }
    if (path === '/idp/jwks') return send(res, 200, json(jwks));
  }
  hits++;
  userAgent = req.headers['user-agent'] ?? '';
  let delay = 0;
  let status = 200;
  let cache;
  for (let m = PREFIX.exec(path); m !== null; m = PREFIX.exec(path)) {
    const value = Number(m[2]);
    if (m[1] === 'd') delay = value;
    else if (m[1] === 's') status = value;
    else cache = value;
    path = path.slice(m[0].length) || '/';
  }
  const body = status >= 400 ? BODIES.error : bodyFor(path);
  if (delay === 0) return send(res, status, body, cache);
  setTimeout(send, delay, res, status, body, cache);
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
