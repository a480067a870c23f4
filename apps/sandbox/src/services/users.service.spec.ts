import { Sandbox, startSandbox } from '../sandbox';
import type { User } from '../seed.types';

interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

describe('users service', () => {
  let sandbox: Sandbox;
  beforeAll(async () => (sandbox = await startSandbox()));
  afterAll(() => sandbox.close());

  async function get<T>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${sandbox.urls.users}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  }

  it('answers /health', async () => {
    expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok', service: 'users' } });
  });

  it('pages with defaults and bounds', async () => {
    const first = await get<Page<User>>('/users');
    expect(first.body).toMatchObject({ page: 1, pageSize: 20, total: 60 });
    expect(first.body.items.map((u) => u.id).slice(0, 2)).toEqual(['usr_0001', 'usr_0002']);
    const last = await get<Page<User>>('/users?page=3&pageSize=25');
    expect(last.body.items.map((u) => u.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `usr_${String(51 + i).padStart(4, '0')}`),
    );
    expect((await get<Page<User>>('/users?page=9')).body.items).toEqual([]);
    expect((await get<Page<User>>('/users?pageSize=100')).body.items).toHaveLength(60);
  });

  it.each([
    'page=0',
    'page=-1',
    'page=abc',
    'page=1.5',
    'pageSize=0',
    'pageSize=101',
    'pageSize=x',
  ])('rejects %s with 400', async (query) => {
    const res = await get<{ error: string; message: string }>(`/users?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
    expect(res.body.message).toMatch(/page/);
  });

  it('searches names and emails case-insensitively', async () => {
    const { body: all } = await get<Page<User>>('/users?pageSize=100');
    const target = all.items[7];
    const byLast = await get<Page<User>>(
      `/users?q=${encodeURIComponent(target.lastName.toUpperCase())}&pageSize=100`,
    );
    expect(byLast.body.items.map((u) => u.id)).toContain(target.id);
    expect(
      byLast.body.items.every(
        (u) =>
          u.lastName.toLowerCase().includes(target.lastName.toLowerCase()) ||
          u.firstName.toLowerCase().includes(target.lastName.toLowerCase()) ||
          u.email.includes(target.lastName.toLowerCase()),
      ),
    ).toBe(true);
    const byEmail = await get<Page<User>>(`/users?q=${encodeURIComponent(target.email)}`);
    expect(byEmail.body.items.map((u) => u.id)).toEqual([target.id]);
    expect((await get<Page<User>>('/users?q=zzzz-nobody')).body).toEqual({
      items: [],
      page: 1,
      pageSize: 20,
      total: 0,
    });
    expect((await get<Page<User>>('/users?q=')).body.total).toBe(60);
  });

  it('filters by a batch of ids, ignoring unknown ones', async () => {
    const res = await get<Page<User>>('/users?ids=usr_0003,usr_0001,%20usr_0003,usr_9999');
    expect(res.body.items.map((u) => u.id)).toEqual(['usr_0001', 'usr_0003']);
    expect(res.body.total).toBe(2);
    const tooMany = Array.from({ length: 101 }, (_, i) => `usr_${i}`).join(',');
    expect((await get(`/users?ids=${tooMany}`)).status).toBe(400);
  });

  it('gets one user, 404 for an unknown id, 400 for a malformed one', async () => {
    const res = await get<User>('/users/usr_0042');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'usr_0042' });
    expect(Object.keys(res.body)).toEqual(
      expect.arrayContaining([
        'email',
        'displayName',
        'avatarUrl',
        'tier',
        'internalNotes',
        'riskScore',
      ]),
    );
    expect(await get('/users/usr_9999')).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'User usr_9999 not found' },
    });
    expect((await get('/users/%3Cscript%3E')).status).toBe(400);
    expect((await get('/nope')).status).toBe(404);
  });
});
