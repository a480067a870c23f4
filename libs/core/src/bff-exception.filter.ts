import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isBffError } from './bff.errors';

/** The JSON body of every error answered by a BFF. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  requestId?: string;
  details?: unknown;
}

interface Mapped {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  retryAfterSeconds?: number;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

/**
 * `Retry-After` of a 503 whose error names no time of its own (an unreachable downstream): every
 * 503 tells clients when to come back. Set here, not on the error, so that the BFF's own retries
 * (which honour an upstream's `Retry-After`) keep their backoff.
 */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** Maps any thrown value to a status and a safe message. Nothing internal is passed through. */
export function mapError(exception: unknown): Mapped {
  if (isBffError(exception)) {
    return {
      status: exception.status,
      code: exception.code,
      message: exception.message,
      details: exception.details,
      retryAfterSeconds:
        exception.retryAfterSeconds ??
        (exception.status === 503 ? DEFAULT_RETRY_AFTER_SECONDS : undefined),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let message = exception.message;
    let details: unknown;
    if (typeof response === 'object' && response !== null) {
      const m = (response as { message?: unknown }).message;
      if (Array.isArray(m)) {
        message = 'Validation failed';
        details = m;
      } else if (typeof m === 'string') {
        message = m;
      }
    }
    if (status >= 500) message = REASONS[status] ?? 'Internal error';
    return { status, code: CODES[status] ?? `HTTP_${status}`, message, details };
  }
  // Errors raised by Fastify itself (body parsing, size limits) carry a 4xx statusCode.
  const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    const message =
      fastifyStatus === 413
        ? 'Request body is too large'
        : ((exception as Error).message ?? 'Bad request');
    return {
      status: fastifyStatus,
      code: CODES[fastifyStatus] ?? `HTTP_${fastifyStatus}`,
      message,
    };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'Internal error' };
}

export function errorBody(mapped: Mapped, requestId: string | undefined): ErrorBody {
  const body: ErrorBody = {
    statusCode: mapped.status,
    error: REASONS[mapped.status] ?? 'Error',
    code: mapped.code,
    message: mapped.message,
    requestId,
  };
  if (mapped.details !== undefined) body.details = mapped.details;
  return body;
}

/**
 * The one place where errors become HTTP responses: the global filter for Nest routes, and the
 * error handler of the native routes (the routing lib's pass-through routes).
 */
export function replyWithError(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): void {
  const mapped = mapError(exception);
  const requestId = request.bffContext?.requestId;
  if (mapped.status >= 500) {
    const service = isBffError(exception) ? exception.service : undefined;
    const detail =
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
    const line = `${request.method} ${request.url} -> ${mapped.status} ${mapped.code}${service ? ` (${service})` : ''} [${requestId}]`;
    if (mapped.status === HttpStatus.INTERNAL_SERVER_ERROR) logger.error(`${line}: ${detail}`);
    else logger.warn(`${line}: ${exception instanceof Error ? exception.message : ''}`);
  }
  sendError(reply, mapped, requestId);
}

/** Nest's side of {@link replyWithError}. */
@Catch()
export class BffExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('BffExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    // GraphQL resolvers: the error becomes a GraphQL error (with its path) in the facade's formatter.
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    replyWithError(
      exception,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      this.logger,
    );
  }
}

export function sendError(
  reply: FastifyReply,
  mapped: Mapped,
  requestId: string | undefined,
): void {
  if (reply.sent) return;
  if (mapped.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(Math.max(0, Math.ceil(mapped.retryAfterSeconds))));
  reply
    .status(mapped.status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(errorBody(mapped, requestId));
}
