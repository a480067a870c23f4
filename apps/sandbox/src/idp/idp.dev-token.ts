import type { Provider } from 'oidc-provider';
import { resourceServerInfo } from './idp.provider';
import {
  API_SCOPES,
  BFF_AUDIENCES,
  BffAudience,
  SANDBOX_CLI_CLIENT,
  resourceFor,
} from './idp.types';

export class DevTokenError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DevTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  aud: string;
  sub: string;
}

const TIERS = ['anonymous', 'standard', 'premium', 'internal'];
const NAME = /^[A-Za-z0-9._@:-]{1,128}$/;
const ROLE = /^[A-Za-z0-9._:-]{1,64}$/;

function strings(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string' && ROLE.test(v))) {
    throw new DevTokenError(400, `${field} must be a list of names`);
  }
  return list as string[];
}

/**
 * Mints an access token through oidc-provider's own AccessToken model and keys, exactly like the
 * token endpoint does (same format, `typ: at+jwt`, same JWKS), with the claims asked for.
 * For local use only: the sandbox is a development tool.
 */
export async function mintDevToken(
  provider: Provider,
  devClaims: WeakMap<object, Record<string, unknown>>,
  rawBody: string,
  defaultTtl: number,
): Promise<DevTokenResponse> {
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(rawBody || '{}');
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
    body = parsed as Record<string, unknown>;
  } catch {
    throw new DevTokenError(400, 'body must be a JSON object');
  }
  const sub = body.sub;
  if (typeof sub !== 'string' || !NAME.test(sub)) {
    throw new DevTokenError(400, 'sub must be 1-128 characters of A-Z a-z 0-9 . _ @ : -');
  }
  const aud = body.aud ?? 'web-bff';
  if (typeof aud !== 'string' || !(BFF_AUDIENCES as readonly string[]).includes(aud)) {
    throw new DevTokenError(400, `aud must be one of ${BFF_AUDIENCES.join(', ')}`);
  }
  const tier = body.tier ?? 'standard';
  if (typeof tier !== 'string' || !TIERS.includes(tier)) {
    throw new DevTokenError(400, `tier must be one of ${TIERS.join(', ')}`);
  }
  const ttl = body.ttl ?? defaultTtl;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) {
    throw new DevTokenError(400, 'ttl must be an integer number of seconds between 1 and 86400');
  }
  const roles = strings(body.roles, 'roles');
  const scopes = body.scope === undefined ? [...API_SCOPES] : strings(body.scope, 'scope');
  const orgId = body.org_id;
  if (orgId !== undefined && (typeof orgId !== 'string' || !NAME.test(orgId))) {
    throw new DevTokenError(400, 'org_id must be a short identifier');
  }

  const client = await provider.Client.find(SANDBOX_CLI_CLIENT.clientId);
  if (client === undefined) throw new Error('sandbox-cli client missing');
  const audience = aud as BffAudience;
  const token = new provider.AccessToken({
    accountId: sub,
    client,
    scope: scopes.join(' ') || undefined,
    gty: 'urn:sandbox:dev-token',
    expiresIn: ttl,
    resourceServer: new provider.ResourceServer(
      resourceFor(audience),
      resourceServerInfo(audience, ttl),
    ),
  });
  devClaims.set(token, { roles, tier, ...(orgId === undefined ? {} : { org_id: orgId }) });
  const value = await token.save();
  return { access_token: value, token_type: 'Bearer', expires_in: ttl, aud, sub };
}
