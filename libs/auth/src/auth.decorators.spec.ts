import { Public } from '@app/core';
import { Reflector } from '@nestjs/core';
import { Authenticated, Roles, Scopes, declaredAuthorization } from './auth.decorators';

@Roles('admin')
class Admin {
  @Scopes('orders:write') write() {}
  @Roles('admin', 'support') @Scopes('orders:read') read() {}
  @Public() health() {}
}

class Plain {
  @Authenticated() mine() {}
  @Public({ optionalAuth: true }) page() {}
  @Roles() nothing() {}
  undeclared() {}
}

describe('declaredAuthorization', () => {
  const reflector = new Reflector();
  const of = (controller: { prototype: object }, name: string) =>
    declaredAuthorization(
      reflector,
      (controller.prototype as Record<string, object>)[name],
      controller,
    );

  it('reads roles and scopes, method-level over controller-level', () => {
    expect(of(Admin, 'write')).toEqual({
      mode: 'required',
      roles: ['admin'],
      scopes: ['orders:write'],
      declared: true,
    });
    expect(of(Admin, 'read')).toMatchObject({
      roles: ['admin', 'support'],
      scopes: ['orders:read'],
    });
    expect(of(Admin, 'health')).toMatchObject({ mode: 'anonymous', declared: true });
  });

  it('counts public, authenticated, roles and scopes as declared; nothing (or empty lists) not', () => {
    expect(of(Plain, 'mine')).toEqual({
      mode: 'required',
      roles: undefined,
      scopes: [],
      declared: true,
    });
    expect(of(Plain, 'page')).toMatchObject({ mode: 'optional', declared: true });
    expect(of(Plain, 'nothing').declared).toBe(false);
    expect(of(Plain, 'undeclared')).toEqual({
      mode: 'required',
      roles: undefined,
      scopes: [],
      declared: false,
    });
  });
});
