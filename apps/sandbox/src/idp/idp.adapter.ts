type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string };

interface Entry {
  payload: Payload;
  expiresAt: number;
}

/**
 * oidc-provider storage for one sandbox IdP: in memory (the sandbox is a dev tool), per
 * instance (oidc-provider's built-in adapter shares one 1000-entry LRU across the process),
 * expiring lazily and swept every few thousand writes instead of keeping a timer per entry.
 */
export class IdpStorage {
  private readonly entries = new Map<string, Entry>();
  private readonly byGrant = new Map<string, Set<string>>();
  private readonly byIndex = new Map<string, string>();
  private writes = 0;

  get(key: string): Payload | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  set(key: string, payload: Payload, expiresInSeconds: number | undefined): void {
    if (++this.writes % 4096 === 0) this.sweep();
    const expiresAt =
      expiresInSeconds === undefined
        ? Number.POSITIVE_INFINITY
        : Date.now() + expiresInSeconds * 1000;
    this.entries.set(key, { payload, expiresAt });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  index(name: string, value: string, key: string): void {
    this.byIndex.set(`${name}:${value}`, key);
  }

  lookup(name: string, value: string): string | undefined {
    return this.byIndex.get(`${name}:${value}`);
  }

  addToGrant(grantId: string, key: string): void {
    const members = this.byGrant.get(grantId) ?? new Set<string>();
    members.add(key);
    this.byGrant.set(grantId, members);
  }

  revokeGrant(grantId: string): void {
    for (const key of this.byGrant.get(grantId) ?? []) this.entries.delete(key);
    this.byGrant.delete(grantId);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    for (const [grantId, members] of this.byGrant) {
      for (const key of members) if (!this.entries.has(key)) members.delete(key);
      if (members.size === 0) this.byGrant.delete(grantId);
    }
    for (const [index, key] of this.byIndex) if (!this.entries.has(key)) this.byIndex.delete(index);
  }
}

/** The adapter interface oidc-provider expects, one instance per model name. */
export class IdpAdapter {
  constructor(
    private readonly model: string,
    private readonly storage: IdpStorage,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    this.storage.set(key, payload, expiresIn);
    if (payload.grantId !== undefined) this.storage.addToGrant(payload.grantId, key);
    if (this.model === 'Session' && payload.uid !== undefined) {
      this.storage.index('uid', payload.uid, key);
    }
    if (payload.userCode !== undefined) this.storage.index('userCode', payload.userCode, key);
  }

  async find(id: string): Promise<Payload | undefined> {
    return this.storage.get(this.key(id));
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const key = this.storage.lookup('uid', uid);
    return key === undefined ? undefined : this.storage.get(key);
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const key = this.storage.lookup('userCode', userCode);
    return key === undefined ? undefined : this.storage.get(key);
  }

  async consume(id: string): Promise<void> {
    const payload = this.storage.get(this.key(id));
    if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.storage.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.storage.revokeGrant(grantId);
  }
}
