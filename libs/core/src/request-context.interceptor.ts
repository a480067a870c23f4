import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Observable, TimeoutError, catchError, throwError, timeout } from 'rxjs';
import { DeadlineExceededError } from './bff.errors';
import { DEADLINE_METADATA } from './deadline.decorator';
import { RequestContextStore } from './request-context';

/**
 * Runs the handler inside the request's context (so downstream calls find their request id,
 * trace and deadline) and enforces the endpoint deadline even if a handler ignores it.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const ctx = request.bffContext;
    const ms = this.reflector.getAllAndOverride<number | undefined>(DEADLINE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (ms !== undefined) ctx.deadlineAt = ctx.startedAt + ms;
    const left = Math.max(0, ctx.deadlineAt - performance.now());
    return new Observable((subscriber) =>
      RequestContextStore.run(ctx, () =>
        next
          .handle()
          .pipe(
            timeout({ first: left }),
            catchError((err: unknown) =>
              throwError(() =>
                err instanceof TimeoutError
                  ? new DeadlineExceededError('The endpoint deadline was exceeded')
                  : err,
              ),
            ),
          )
          .subscribe(subscriber),
      ),
    );
  }
}
