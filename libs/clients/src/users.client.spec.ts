import { UsersClient } from './users.client';
import { mockDownstream } from './clients.test-doubles';

describe('UsersClient', () => {
  const signal = new AbortController().signal;

  it('GETs one user with its id encoded, passing signal and headers through', async () => {
    const headers = { 'x-test': '1' };
    const { downstream, get } = mockDownstream({ id: 'u?1' });
    await expect(new UsersClient(downstream).byId('u?1', { signal, headers })).resolves.toEqual({
      id: 'u?1',
    });
    expect(get).toHaveBeenCalledWith('users', '/users/u%3F1', { signal, headers });
  });

  it('GETs a page of users matching a search', async () => {
    const { downstream, get } = mockDownstream({ items: [] });
    await new UsersClient(downstream).page({ q: 'ann', page: 2, pageSize: 20 }, { signal });
    expect(get).toHaveBeenCalledWith('users', '/users', {
      signal,
      query: { ids: undefined, q: 'ann', page: 2, pageSize: 20 },
    });
  });

  it('looks users up by ids in one page, and skips the call for none', async () => {
    const { downstream, get } = mockDownstream({ items: [{ id: 'u1' }] });
    const users = new UsersClient(downstream);
    await expect(users.byIds([], { signal })).resolves.toEqual([]);
    expect(get).not.toHaveBeenCalled();
    await expect(users.byIds(['u1'], { signal })).resolves.toEqual([{ id: 'u1' }]);
    expect(get).toHaveBeenCalledWith('users', '/users', {
      signal,
      query: expect.objectContaining({ ids: ['u1'], pageSize: 100 }),
    });
  });
});
