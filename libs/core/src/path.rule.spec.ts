import { pathRuleViolation } from './path.rule';

describe('pathRuleViolation (the one path rule)', () => {
  it.each([
    '/api/v1/users/..;/orders',
    '/api/v1/users/%2e%2e;/orders',
    '/api/v1/users/..%3b/orders',
    '/api/v1/users/..%3B/orders',
    '/orders/ord_1;jsessionid=x',
    '/orders/ord_1%3bx',
    '/a;',
    ';',
  ])('rejects %j by default', (path) => {
    expect(pathRuleViolation(path, 'reject')).toMatch(/;/);
  });

  it('accepts ordinary paths, other encodings and a ";" in the query', () => {
    for (const path of [
      '/',
      '/api/v1/catalog/products/prd_0001',
      '/a%20b/c%2d',
      '/a%3/b',
      '/a%3c',
      '/search?q=a;b&x=%3b',
      '/a?;',
    ]) {
      expect(pathRuleViolation(path, 'reject')).toBeUndefined();
    }
  });

  it('with "allow", passes path parameters but never on a dot segment', () => {
    expect(pathRuleViolation('/files/report;v=2', 'allow')).toBeUndefined();
    expect(pathRuleViolation('/files/report%3Bv=2', 'allow')).toBeUndefined();
    for (const path of [
      '/api/v1/users/..;/orders',
      '/api/v1/users/.;/orders',
      '/x/%2e%2e;/y',
      '/x/%2E.%3b/y',
      '/x/..%3bjsessionid=1/y',
    ]) {
      expect(pathRuleViolation(path, 'allow')).toMatch(/dot segment/);
    }
  });
});
