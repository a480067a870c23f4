import type { BffConfig } from '@app/config';
import { type CompiledAuthorizer, compileAuthorizer } from './route-authorizer';
import { type CompiledTransform, compileTransform } from './route-transform';
import { type CompiledValidation, compileValidation } from './route-validate';

/** A route's declarative policies, compiled at boot; absent on routes that have none. */
export interface CompiledPolicies {
  readonly validate: CompiledValidation | undefined;
  readonly request: CompiledTransform | undefined;
  readonly response: CompiledTransform | undefined;
  readonly authorize: CompiledAuthorizer | undefined;
  /** The request body is read whole (a body schema or body operations). */
  readonly readsBody: boolean;
  /** The answer body is read whole (response body operations). */
  readonly readsAnswer: boolean;
}

/** Bodies are buffered for validation and transformation up to this size; larger limits refuse to start. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface PolicyInput {
  validate?: unknown;
  transform?: unknown;
  authorize?: unknown;
}

export interface PolicyLimits {
  readonly auth: 'public' | 'required';
  readonly cached: boolean;
  readonly streaming: boolean;
  readonly maxBodyBytes: number;
  readonly maxResponseBytes: number;
}

/**
 * Compiles `validate`, `transform` and `authorize` of one route; problems are pushed (named with
 * `at`) and undefined returned. Undefined with no problem: the route has no policy (the hot path
 * stays the plain proxy).
 */
export function compilePolicies(
  input: PolicyInput,
  limits: PolicyLimits,
  config: BffConfig,
  baseDir: string,
  problems: string[],
  at: (s: string) => string,
): CompiledPolicies | undefined {
  if (
    input.validate === undefined &&
    input.transform === undefined &&
    input.authorize === undefined
  ) {
    return undefined;
  }
  const before = problems.length;
  const validate =
    input.validate === undefined
      ? undefined
      : compileValidation(input.validate, baseDir, problems, at);
  let request: CompiledTransform | undefined;
  let response: CompiledTransform | undefined;
  if (input.transform !== undefined) {
    const t = input.transform;
    if (typeof t !== 'object' || t === null || Array.isArray(t)) {
      problems.push(at('transform must be an object { request?: [...], response?: [...] }'));
    } else {
      for (const key of Object.keys(t)) {
        if (key !== 'request' && key !== 'response') {
          problems.push(at(`transform: unknown direction "${key}" (request, response)`));
        }
      }
      const { request: req, response: res } = t as { request?: unknown; response?: unknown };
      if (req !== undefined) request = compileTransform(req, 'request', problems, at);
      if (res !== undefined) response = compileTransform(res, 'response', problems, at);
    }
  }
  const authorize =
    input.authorize === undefined
      ? undefined
      : compileAuthorizer(input.authorize, config, problems, at);
  if (authorize !== undefined && limits.auth === 'public') {
    problems.push(at('authorize needs a verified caller: the route cannot be public'));
  }
  if (limits.cached) {
    problems.push(at('validate, transform and authorize cannot be combined with cacheTtlSeconds'));
  }
  const readsBody = validate?.body !== undefined || (request?.body.length ?? 0) > 0;
  const readsAnswer = (response?.body.length ?? 0) > 0 || response?.xml === true;
  if (readsBody && limits.maxBodyBytes > MAX_BUFFERED_BYTES) {
    problems.push(
      at(
        `validate.body and request body operations read the body whole: maxBodyBytes must be at most ${MAX_BUFFERED_BYTES} (is ${limits.maxBodyBytes})`,
      ),
    );
  }
  if (readsAnswer && (limits.streaming || limits.maxResponseBytes > MAX_BUFFERED_BYTES)) {
    problems.push(
      at(
        `response body operations read the answer whole: the route needs maxResponseBytes at most ${MAX_BUFFERED_BYTES} and no streaming (maxResponseBytes is ${limits.maxResponseBytes})`,
      ),
    );
  }
  if (problems.length > before) return undefined;
  return { validate, request, response, authorize, readsBody, readsAnswer };
}
