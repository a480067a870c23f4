import { BffError, isBffError } from '@app/core';
import { HttpException } from '@nestjs/common';
import { GraphQLError } from 'graphql';

/** An operation or field that needs a signed-in caller, asked anonymously. */
export class GraphqlUnauthenticatedError extends BffError {
  readonly status = 401;
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'Sign in to read this field') {
    super(message);
  }
}

/** A field the caller's roles do not allow. */
export class GraphqlForbiddenError extends BffError {
  readonly status = 403;
  readonly code = 'FORBIDDEN';
}

/** An argument the schema accepts but the facade does not (a malformed cursor, `first` too large). */
export class GraphqlBadInputError extends BffError {
  readonly status = 400;
  readonly code = 'BAD_USER_INPUT';
}

/** A request refused before execution: limits, content type, batch size. */
export class GraphqlRequestError extends BffError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One error as sent to clients: message, path, locations and `extensions.code`. */
export interface FormattedError {
  message: string;
  locations?: readonly { line: number; column: number }[];
  path?: readonly (string | number)[];
  extensions: { code: string; reason?: string; retryAfter?: number };
}

/** What an error becomes: the JSON sent to the client and the HTTP status it would justify alone. */
export interface MappedError {
  error: FormattedError;
  status: number;
  retryAfterSeconds?: number;
  /** Unexpected: logged with its stack, answered with a generic message. */
  internal: boolean;
}

const SUGGESTION = / ?Did you mean .*\?$/;

/** `extensions.code` of a typed BFF error, in the GraphQL vocabulary clients know (Apollo's). */
function codeOf(error: BffError): string {
  switch (error.status) {
    case 400:
      return error.code === 'BAD_REQUEST' || error.code === 'REJECTED_BY_DOWNSTREAM'
        ? 'BAD_USER_INPUT'
        : error.code;
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 429:
      return 'RATE_LIMITED';
    case 502:
    case 503:
      return 'DOWNSTREAM_UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return error.code;
  }
}

const MERCURIUS_CODES: Record<string, string> = {
  MER_ERR_GQL_PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  MER_ERR_GQL_PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  MER_ERR_GQL_PERSISTED_QUERY_MISMATCH: 'PERSISTED_QUERY_MISMATCH',
  MER_ERR_METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
};

/**
 * Maps one GraphQL error (a resolver's typed error, a validation error, a request refusal) to
 * what the client sees. Only typed errors and GraphQL's own validation messages pass through;
 * anything else is "Internal error". Without introspection, "Did you mean ...?" suggestions are
 * cut (they would reveal the schema).
 */
export function mapGraphqlError(error: GraphQLError, suggestions: boolean): MappedError {
  const original: unknown = error.originalError;
  const where = {
    ...(error.locations === undefined ? {} : { locations: error.locations }),
    ...(error.path === undefined ? {} : { path: error.path }),
  };
  if (isBffError(original)) {
    const code = codeOf(original);
    const retry = original.retryAfterSeconds ?? (original.status === 503 ? 1 : undefined);
    return {
      error: {
        message: original.message,
        ...where,
        extensions: {
          code,
          // The REST code when it says more (CSRF_HEADER_REQUIRED, TOKEN_REVOKED, CIRCUIT_OPEN...).
          ...(original.code === code ? {} : { reason: original.code }),
          ...(retry === undefined ? {} : { retryAfter: retry }),
        },
      },
      status: original.status,
      retryAfterSeconds: retry,
      internal: false,
    };
  }
  if (original instanceof HttpException) {
    const status = original.getStatus();
    return {
      error: {
        message: status < 500 ? 'Invalid argument' : 'Internal error',
        ...where,
        extensions: { code: status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR' },
      },
      status,
      internal: status >= 500,
    };
  }
  const mercuriusCode = (original as { code?: unknown } | undefined)?.code;
  const statusCode = (original as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof mercuriusCode === 'string' && mercuriusCode in MERCURIUS_CODES) {
    return {
      error: {
        message: error.message,
        ...where,
        extensions: { code: MERCURIUS_CODES[mercuriusCode] },
      },
      status: typeof statusCode === 'number' ? statusCode : 400,
      internal: false,
    };
  }
  // Fastify's own refusals (malformed JSON, body too large, unsupported media type): 4xx.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return {
      error: {
        message: statusCode === 413 ? 'Request body is too large' : error.message,
        extensions: { code: statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST' },
      },
      status: statusCode,
      internal: false,
    };
  }
  if (original === undefined || original === null) {
    // GraphQL's own parse and validation errors (our limit rules set their code).
    const own = error.extensions?.code;
    const code =
      typeof own === 'string'
        ? own
        : error.message.startsWith('Syntax Error')
          ? 'GRAPHQL_PARSE_FAILED'
          : 'GRAPHQL_VALIDATION_FAILED';
    const message = suggestions ? error.message : error.message.replace(SUGGESTION, '');
    return { error: { message, ...where, extensions: { code } }, status: 400, internal: false };
  }
  return {
    error: { message: 'Internal error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    status: 500,
    internal: true,
  };
}
