import { generateKeyPair, randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Provider } from 'oidc-provider';
import { getSeedData } from '../seed.data';
import { urlFor } from '../service.host';
import { IdpAccounts } from './idp.accounts';
import { DevTokenError, mintDevToken } from './idp.dev-token';
import { loginPage, page } from './idp.pages';
import { createIdpProvider } from './idp.provider';
import { DEFAULT_WEB_CLIENT, SandboxIdp, SandboxIdpOptions } from './idp.types';

let signingKey: Promise<Record<string, unknown>> | undefined;

/** One RS256 key per process: generating RSA keys is slow and tests start many sandboxes. */
function devSigningKey(): Promise<Record<string, unknown>> {
  signingKey ??= new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (error, _publicKey, privateKey) => {
      if (error !== null) return reject(error);
      resolve({
        ...privateKey.export({ format: 'jwk' }),
        kid: randomUUID(),
        alg: 'RS256',
        use: 'sig',
      });
    });
  });
  return signingKey;
}

const MAX_BODY = 16 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new DevTokenError(413, 'body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const html = (res: ServerResponse, status: number, body: string): void =>
  send(res, status, 'text/html; charset=utf-8', body);
const json = (res: ServerResponse, status: number, body: unknown): void =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/login|\/abort)?$/;

/** The dev login: any active seeded user id signs in; consent is implied for the dev clients. */
async function handleInteraction(
  provider: Provider,
  accounts: IdpAccounts,
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
  action: string | undefined,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid)
    return html(res, 400, page('Sign-in error', '<p>Stale sign-in link.</p>'));
  const clientId = String(details.params.client_id ?? '');

  if (action === '/abort') {
    return provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'the user cancelled the sign-in' },
      { mergeWithLastSubmission: false },
    );
  }
  if (action === '/login' && req.method === 'POST') {
    const login = (new URLSearchParams(await readBody(req)).get('login') ?? '').trim();
    const account = accounts.find(login);
    if (account === undefined) {
      return html(
        res,
        200,
        loginPage(uid, clientId, `Unknown or suspended user "${login}".`, login),
      );
    }
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub } },
      { mergeWithLastSubmission: false },
    );
  }
  if (details.prompt.name === 'consent' && details.session !== undefined) {
    // The dev clients are first-party: whatever is still missing is granted without asking.
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt
      .details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const grant =
      (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
      new provider.Grant({ clientId, accountId: details.session.accountId });
    if (missingOIDCScope !== undefined) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims !== undefined) grant.addOIDCClaims(missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } });
  }
  if (action !== undefined || req.method !== 'GET') {
    return html(res, 405, page('Sign-in error', '<p>Method not allowed.</p>'));
  }
  return html(res, 200, loginPage(uid, clientId));
}

/**
 * Starts the sandbox's dev identity provider: a real `oidc-provider` (discovery, JWKS,
 * authorization with a dev login page, token with authorization_code + PKCE S256,
 * refresh_token, client_credentials; RFC 9068 JWT access tokens per BFF audience) plus
 * `POST /dev/token`, which mints access tokens with chosen claims for local use.
 */
export async function startIdp(options: SandboxIdpOptions = {}): Promise<SandboxIdp> {
  const host = options.host ?? '127.0.0.1';
  const accounts = new IdpAccounts(getSeedData().users);
  const devClaims = new WeakMap<object, Record<string, unknown>>();
  const grants = new Map<string, number>();
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 300;
  const key = await devSigningKey();

  // The issuer needs the bound port (port 0), so the provider is built once the server listens
  // and the request handler attached after that; nobody knows the port before we return.
  const server: Server = createServer();
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });

  const url = urlFor(host, (server.address() as AddressInfo).port);
  const issuer = options.issuer ?? url;
  let provider: Provider;
  try {
    provider = createIdpProvider({
      issuer,
      accounts,
      signingKeys: [key],
      webClients: options.webClients ?? [DEFAULT_WEB_CLIENT],
      accessTokenTtlSeconds,
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 86_400,
      devClaims,
    });
  } catch (error) {
    // A bad option (issuer, client metadata) must not leave the port bound.
    server.close();
    throw error;
  }
  provider.on('grant.success', ((ctx: { oidc: { params?: Record<string, unknown> } }) => {
    const type = String(ctx.oidc.params?.grant_type);
    grants.set(type, (grants.get(type) ?? 0) + 1);
  }) as (...args: never[]) => void);
  if (options.logger === true) {
    provider.on('backchannel.error', ((_ctx: unknown, error: Error) => {
      process.stderr.write(`idp: back-channel logout failed: ${error.message}\n`);
    }) as (...args: never[]) => void);
    provider.on('server_error', ((_ctx: unknown, error: Error) => {
      process.stderr.write(`idp: ${error.stack ?? String(error)}\n`);
    }) as (...args: never[]) => void);
  }
  const callback = provider.callback();

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return json(res, 200, { status: 'ok', service: 'idp' });
    if (path === '/dev/token') {
      if (req.method !== 'POST') return json(res, 405, { error: 'use POST' });
      const body = await readBody(req);
      return json(res, 200, await mintDevToken(provider, devClaims, body, accessTokenTtlSeconds));
    }
    const interaction = INTERACTION.exec(path);
    if (interaction !== null) {
      return handleInteraction(provider, accounts, req, res, interaction[1], interaction[2]);
    }
    callback(req, res);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof DevTokenError) return json(res, error.status, { error: error.message });
      const name = error instanceof Error ? error.name : 'Error';
      // oidc-provider's own errors (expired interaction, missing cookie) are the client's fault.
      const status = name === 'SessionNotFound' || name === 'InvalidRequest' ? 400 : 500;
      if (status === 500 && options.logger === true) {
        process.stderr.write(`idp: ${String(error)}\n`);
      }
      html(
        res,
        status,
        page('Sign-in error', '<p>The sign-in request is invalid or has expired.</p>'),
      );
    });
  });

  let closing: Promise<void> | undefined;
  return {
    issuer,
    url,
    grants: (grantType) => grants.get(grantType) ?? 0,
    resetStats: () => grants.clear(),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
