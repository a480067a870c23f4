import type { User } from '../seed.types';

/** Roles of the sandbox's staff accounts; every other seeded user is a `customer`. */
export const STAFF_ROLES: Readonly<Record<string, readonly string[]>> = {
  usr_0001: ['admin'],
  usr_0002: ['support'],
  usr_0003: ['support'],
};

/** Claims of one account as the IdP puts them in ID tokens, userinfo and access tokens. */
export interface IdpAccount {
  readonly sub: string;
  readonly name: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly picture: string;
  readonly roles: readonly string[];
  readonly tier: 'standard' | 'premium';
  readonly orgId: string;
}

/**
 * The seeded users as sign-in accounts. Staff accounts can always sign in; a suspended customer
 * cannot, like at a real IdP.
 */
export class IdpAccounts {
  private readonly byId = new Map<string, IdpAccount>();

  constructor(users: readonly User[]) {
    for (const user of users) {
      const staff = STAFF_ROLES[user.id];
      if (staff === undefined && user.status !== 'active') continue;
      this.byId.set(user.id, {
        sub: user.id,
        name: `${user.firstName} ${user.lastName}`,
        givenName: user.firstName,
        familyName: user.lastName,
        email: user.email,
        picture: user.avatarUrl,
        roles: staff ?? ['customer'],
        tier: user.tier,
        // Staff belong to the operator; customers to their country's storefront.
        orgId: staff === undefined ? `org_${user.country.toLowerCase()}` : 'org_internal',
      });
    }
  }

  find(sub: string): IdpAccount | undefined {
    return this.byId.get(sub);
  }

  /** OIDC claims by scope (`sub` always; profile and email when granted). */
  claims(account: IdpAccount): Record<string, unknown> {
    return {
      sub: account.sub,
      name: account.name,
      given_name: account.givenName,
      family_name: account.familyName,
      picture: account.picture,
      email: account.email,
      email_verified: true,
      roles: account.roles,
      tier: account.tier,
      org_id: account.orgId,
    };
  }
}
