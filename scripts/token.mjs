// `npm run token -- --sub alice --roles admin --tier premium [--aud web-bff] [--ttl 3600]
//  [--scope orders:read,users:read]`
// Prints an access token minted by the running sandbox IdP (`npm start` or `npm run start:sandbox`).
// The token is a real RFC 9068 JWT from oidc-provider, verified by the BFFs through the IdP's JWKS.
import { parseArgs } from 'node:util';

const usage = `Usage: npm run -s token -- --sub <subject> [options]

  --sub <id>        subject (user id), e.g. alice or usr_0001       (required)
  --roles <list>    comma-separated roles, e.g. admin,support       (default: none)
  --tier <tier>     anonymous | standard | premium | internal       (default: standard)
  --aud <bff>       web-bff | mobile-bff | admin-bff                (default: web-bff)
  --ttl <seconds>   lifetime, 1..86400                             (default: IdP setting, 300)
  --scope <list>    space- or comma-separated scopes               (default: every API scope)
                    admin-bff: users:read orders:read orders:write ops:read cache:purge
                      tokens:revoke
  --org <id>        org_id claim
  --idp <url>       sandbox IdP base URL   (default: $SANDBOX_IDP_URL or http://127.0.0.1:4006)
  --json            print the whole JSON response instead of the bare token`;

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      sub: { type: 'string' },
      roles: { type: 'string' },
      tier: { type: 'string' },
      aud: { type: 'string' },
      ttl: { type: 'string' },
      scope: { type: 'string' },
      org: { type: 'string' },
      idp: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  process.stderr.write(`${error.message}\n\n${usage}\n`);
  process.exit(2);
}
if (args.help || !args.sub) {
  process.stderr.write(`${usage}\n`);
  process.exit(args.help ? 0 : 2);
}

const idp = (args.idp ?? process.env.SANDBOX_IDP_URL ?? 'http://127.0.0.1:4006').replace(/\/$/, '');
const body = {
  sub: args.sub,
  roles:
    args.roles
      ?.split(',')
      .map((r) => r.trim())
      .filter(Boolean) ?? [],
  ...(args.tier === undefined ? {} : { tier: args.tier }),
  ...(args.aud === undefined ? {} : { aud: args.aud }),
  ...(args.ttl === undefined ? {} : { ttl: Number(args.ttl) }),
  ...(args.scope === undefined ? {} : { scope: args.scope }),
  ...(args.org === undefined ? {} : { org_id: args.org }),
};

let res;
try {
  res = await fetch(`${idp}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
} catch (error) {
  process.stderr.write(
    `cannot reach the sandbox IdP at ${idp} (${error.cause?.code ?? error.message}); start it with \`npm start\`\n`,
  );
  process.exit(1);
}
const answer = await res.json().catch(() => ({}));
if (!res.ok) {
  process.stderr.write(`the IdP refused: ${answer.error ?? res.status}\n`);
  process.exit(1);
}
process.stdout.write(
  args.json ? `${JSON.stringify(answer, null, 2)}\n` : `${answer.access_token}\n`,
);
