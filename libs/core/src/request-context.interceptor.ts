import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Observable, TimeoutError, catchError, throwError, timeout } from 'rxjs';
import { DeadlineExceededError } from './bff.errors';
import { DEADLINE_METADATA } from './deadline.decorator';
import { DEADLINE_MESSAGE, disarmDeadline } from './deadline.hook';
import { RequestContextStore } from './request-context';

/**
 * Runs the handler inside the request's context (so downstream calls find their request id,
 * trace and deadline) and enforces the endpoint deadline even if a handler ignores it. Before the
 * handler, the deadline hook (deadline.hook.ts) enforced the same budget; this takes over from it.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // GraphQL resolvers: the facade's route already runs in the request's context and deadline.
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    disarmDeadline(request);
    const ctx = request.bffContext;
    const ms = this.reflector.getAllAndOverride<number | undefined>(DEADLINE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (ms !== undefined) ctx.deadlineAt = ctx.startedAt + ms;
    const left = ctx.deadlineAt - performance.now();
    // Spent before the handler (a slow guard): the handler does not start.
    if (left <= 0) return throwError(() => new DeadlineExceededError(DEADLINE_MESSAGE));
    return new Observable((subscriber) =>
      RequestContextStore.run(ctx, () =>
        next
          .handle()
          .pipe(
            timeout({ first: left }),
            catchError((err: unknown) =>
              throwError(() =>
                err instanceof TimeoutError ? new DeadlineExceededError(DEADLINE_MESSAGE) : err,
              ),
            ),
          )
          .subscribe(subscriber),
      ),
    );
  }
}
