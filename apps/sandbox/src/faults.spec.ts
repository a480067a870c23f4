import {
  DEFAULT_FAULT_SETTINGS,
  FaultRegistry,
  FaultSettings,
  FaultValidationError,
  validateFaultPatch,
} from './faults';
import { SANDBOX_SERVICES, SandboxServiceName } from './sandbox.types';

describe('FaultRegistry', () => {
  let faults: FaultRegistry;
  beforeEach(() => (faults = new FaultRegistry()));

  it('starts every service at the defaults', () => {
    expect(Object.keys(faults.getAll())).toEqual([...SANDBOX_SERVICES]);
    for (const name of SANDBOX_SERVICES) expect(faults.get(name)).toEqual(DEFAULT_FAULT_SETTINGS);
    expect(DEFAULT_FAULT_SETTINGS.errorStatus).toBe(500);
  });

  it('merges patches and returns the new settings', () => {
    faults.set('users', { latencyMs: 100 });
    const next = faults.set('users', { errorRate: 0.5, errorStatus: 503 });
    expect(next).toEqual({
      ...DEFAULT_FAULT_SETTINGS,
      latencyMs: 100,
      errorRate: 0.5,
      errorStatus: 503,
    });
    expect(faults.get('users')).toEqual(next);
    expect(faults.get('orders')).toEqual(DEFAULT_FAULT_SETTINGS);
  });

  it('hands out copies from set/getAll and frozen snapshots from get', () => {
    const returned = faults.set('users', { latencyMs: 5 });
    returned.latencyMs = 999;
    faults.getAll().users.latencyMs = 999;
    expect(faults.get('users').latencyMs).toBe(5);
    expect(Object.isFrozen(faults.get('users'))).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    ['unknown key', { latency: 10 }, /unknown setting "latency"/],
    ['string number', { latencyMs: '100' }, /latencyMs must be a number between 0 and 60000/],
    ['negative latency', { latencyMs: -1 }, /latencyMs/],
    ['latency too long', { latencyMs: 60_001 }, /latencyMs/],
    ['jitter too long', { jitterMs: 1e9 }, /jitterMs/],
    ['NaN', { jitterMs: Number.NaN }, /jitterMs/],
    ['rate above 1', { errorRate: 1.5 }, /errorRate must be a number between 0 and 1/],
    ['negative rate', { resetRate: -0.1 }, /resetRate/],
    [
      'status below 500',
      { errorStatus: 404 },
      /errorStatus must be an integer between 500 and 599/,
    ],
    ['status above 599', { errorStatus: 600 }, /errorStatus/],
    ['fractional status', { errorStatus: 502.5 }, /errorStatus/],
    ['outage as string', { outage: 'true' }, /outage must be a boolean/],
    ['slow body as null', { slowBodyMs: null }, /slowBodyMs/],
    ['array', [], /must be a JSON object/],
    ['null', null, /must be a JSON object/],
  ])('rejects %s', (_label, patch, message) => {
    expect(() => faults.set('users', patch as Partial<FaultSettings>)).toThrow(
      FaultValidationError,
    );
    expect(() => faults.set('users', patch as Partial<FaultSettings>)).toThrow(message);
    expect(faults.get('users')).toEqual(DEFAULT_FAULT_SETTINGS);
  });

  it('is all-or-nothing and lists every problem', () => {
    let error: unknown;
    try {
      faults.set('users', { latencyMs: 10, errorRate: 2, bogus: 1 } as Partial<FaultSettings>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FaultValidationError);
    expect((error as FaultValidationError).problems).toHaveLength(2);
    expect(faults.get('users').latencyMs).toBe(0);
  });

  it('accepts the boundaries', () => {
    expect(
      validateFaultPatch({
        latencyMs: 60_000,
        jitterMs: 0,
        errorRate: 1,
        errorStatus: 599,
        outage: true,
        resetRate: 0,
        slowBodyMs: 60_000,
      }),
    ).toEqual([]);
    expect(validateFaultPatch({})).toEqual([]);
  });

  it('rejects unknown services', () => {
    const bogus = 'payments' as SandboxServiceName;
    expect(() => faults.set(bogus, {})).toThrow(/unknown service "payments"/);
    expect(() => faults.get(bogus)).toThrow(FaultValidationError);
    expect(() => faults.reset(bogus)).toThrow(FaultValidationError);
  });

  it('resets one service or all of them', () => {
    faults.set('users', { latencyMs: 10 });
    faults.set('orders', { outage: true });
    faults.reset('users');
    expect(faults.get('users')).toEqual(DEFAULT_FAULT_SETTINGS);
    expect(faults.get('orders').outage).toBe(true);
    faults.reset();
    expect(faults.get('orders')).toEqual(DEFAULT_FAULT_SETTINGS);
  });

  it('notifies listeners of each change until unsubscribed', () => {
    const seen: [string, boolean][] = [];
    const off = faults.onChange((service, settings) => seen.push([service, settings.outage]));
    faults.set('catalog', { outage: true });
    faults.reset('catalog');
    off();
    faults.set('catalog', { outage: true });
    expect(seen).toEqual([
      ['catalog', true],
      ['catalog', false],
    ]);
  });
});
