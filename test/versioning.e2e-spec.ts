import { readFileSync } from 'node:fs';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';

const V1 = 'application/vnd.mobile.v1+json';
const V2 = 'application/vnd.mobile.v2+json';

describe('API versioning (mobile-bff)', () => {
  let sandbox: Sandbox;
  let mobile: RunningApp;

  beforeAll(async () => {
    sandbox = await startSandbox();
    mobile = await startApp(createMobileBff, sandbox, { RATE_LIMIT_ENABLED: 'false' });
  });

  afterAll(async () => {
    await mobile?.app.close();
    await sandbox?.close();
  });

  afterEach(() => sandbox.resetStats());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${mobile.url}${path}`, { headers });

  it('URI versions: /v1 and /v2 serve their own shapes', async () => {
    const v1 = await json(await get('/v1/products/prd_0020'));
    const v2 = await json(await get('/v2/products/prd_0020'));
    expect(v1).toMatchObject({
      id: 'prd_0020',
      name: expect.any(String),
      thumb: expect.any(String),
    });
    expect(v2).toMatchObject({
      id: 'prd_0020',
      title: expect.any(String),
      image: expect.any(String),
    });
  });

  it('media-type versions: the same path answers per Accept, with Vary: Accept', async () => {
    const v2 = await get('/products/prd_0021', { accept: V2 });
    expect(v2.status).toBe(200);
    expect(v2.headers.get('vary')).toMatch(/accept/i);
    expect(await json(v2)).toMatchObject({ id: 'prd_0021', title: expect.any(String) });
    const v1 = await get('/products/prd_0021', { accept: `application/json;q=0.5, ${V1}` });
    expect(v1.status).toBe(200);
    expect(await json(v1)).toMatchObject({ id: 'prd_0021', name: expect.any(String) });
  });

  it('the deprecated v1 product carries Deprecation, Sunset and Link; v2 does not', async () => {
    for (const res of [
      await get('/v1/products/prd_0022'),
      await get('/products/prd_0022', { accept: V1 }),
    ]) {
      expect(res.status).toBe(200);
      // RFC 9745: a structured-field date; RFC 8594: an HTTP-date.
      expect(res.headers.get('deprecation')).toMatch(/^@\d{10}$/);
      expect(res.headers.get('sunset')).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
      expect(res.headers.get('link')).toBe('</docs>; rel="deprecation"');
    }
    const v2 = await get('/v2/products/prd_0022');
    expect(v2.headers.get('deprecation')).toBeNull();
    expect(v2.headers.get('sunset')).toBeNull();
  });

  it('an unsupported version is a clear 404 (URI) or 406 (media type) listing the supported ones', async () => {
    const uri = await get('/v3/products/prd_0010');
    expect(uri.status).toBe(404);
    expect(await json(uri)).toMatchObject({
      statusCode: 404,
      message: 'API version 3 is not supported; supported versions: 1, 2',
    });
    const media = await get('/products/prd_0010', { accept: 'application/vnd.mobile.v9+json' });
    expect(media.status).toBe(406);
    expect(await json(media)).toMatchObject({
      statusCode: 406,
      code: 'UNSUPPORTED_VERSION',
      message: 'API version 9 is not supported; supported versions: 1, 2',
    });
    const conflict = await get('/v1/products/prd_0010', { accept: V2 });
    expect(conflict.status).toBe(400);
    expect((await json(conflict)).code).toBe('VERSION_CONFLICT');
    expect(sandbox.hits('catalog')).toBe(0);
  });

  it('health, docs and pass-through routes are not versioned', async () => {
    expect((await get('/health/live', { accept: V2 })).status).toBe(200);
    expect((await get('/docs/json', { accept: V2 })).status).toBe(200);
    const pass = await get('/api/v1/catalog/products/prd_0001', { accept: V2 });
    expect(pass.status).toBe(200);
    expect((await json(pass)).sku).toEqual(expect.any(String));
  });
});

describe('OpenAPI per BFF', () => {
  let sandbox: Sandbox;
  const apps: Record<string, RunningApp> = {};

  beforeAll(async () => {
    sandbox = await startSandbox();
    apps['web-bff'] = await startApp(createWebBff, sandbox);
    apps['mobile-bff'] = await startApp(createMobileBff, sandbox);
    apps['admin-bff'] = await startApp(createAdminBff, sandbox);
  });

  afterAll(async () => {
    await Promise.all(Object.values(apps).map((a) => a.app.close()));
    await sandbox?.close();
  });

  it.each(['web-bff', 'mobile-bff', 'admin-bff'])(
    '%s serves the committed spec at /docs/json and the UI at /docs',
    async (name) => {
      const res = await fetch(`${apps[name].url}/docs/json`);
      expect(res.status).toBe(200);
      const served = await json(res);
      const committed = JSON.parse(readFileSync(`apps/${name}/openapi.json`, 'utf8'));
      // Same document as `npm run openapi` wrote (the CI check compares the code with the file).
      expect(served).toEqual(committed);
      expect(served.info.title).toBe(name);
      const ui = await fetch(`${apps[name].url}/docs`);
      expect(ui.status).toBe(200);
      expect(ui.headers.get('content-type')).toMatch(/text\/html/);
      expect(await ui.text()).toMatch(/swagger-ui/);
      expect(ui.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    },
  );

  it('documents DTOs, versions, sparse fields and the deprecated endpoint', async () => {
    const spec = await json(await fetch(`${apps['mobile-bff'].url}/docs/json`));
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/products', '/v1/products/{id}', '/v2/products/{id}']),
    );
    expect(spec.paths['/v1/products/{id}'].get.deprecated).toBe(true);
    expect(spec.paths['/v2/products/{id}'].get.deprecated).toBeUndefined();
    const fields = spec.paths['/v2/products/{id}'].get.parameters.find(
      (p: { name: string }) => p.name === 'fields',
    );
    expect(fields.description).toMatch(/price\.amount/);
    expect(Object.keys(spec.components.schemas.ProductV2Dto.properties)).toEqual(
      expect.arrayContaining(['id', 'title', 'price', 'stock', 'related']),
    );
    const web = await json(await fetch(`${apps['web-bff'].url}/docs/json`));
    expect(web.info.description).toMatch(/`GET, HEAD \/api\/v1\/catalog\/\*` -> service `catalog`/);
  });
});
