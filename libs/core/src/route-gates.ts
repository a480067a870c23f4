import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  type Type,
} from '@nestjs/common';
import type {
  HttpArgumentsHost,
  RpcArgumentsHost,
  WsArgumentsHost,
} from '@nestjs/common/interfaces';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isObservable, lastValueFrom } from 'rxjs';

/**
 * What a Nest guard sees of a request served by a native Fastify route: the same request, reply,
 * class and handler a controller would give it, so the guard code (and its metadata lookups on
 * the class and handler) runs unchanged without Nest's router, pipes or rxjs interceptors.
 */
export class HttpRouteContext implements ExecutionContext, HttpArgumentsHost {
  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly owner: Type<unknown>,
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest's own signature
    private readonly handler: Function,
  ) {}

  getClass<T = unknown>(): Type<T> {
    return this.owner as Type<T>;
  }
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest's own signature
  getHandler(): Function {
    return this.handler;
  }
  getArgs<T extends unknown[] = unknown[]>(): T {
    return [this.request, this.reply] as T;
  }
  getArgByIndex<T = unknown>(index: number): T {
    return this.getArgs()[index] as T;
  }
  getType<T extends string = 'http'>(): T {
    return 'http' as T;
  }
  switchToHttp(): HttpArgumentsHost {
    return this;
  }
  switchToRpc(): RpcArgumentsHost {
    throw new Error('not an RPC context');
  }
  switchToWs(): WsArgumentsHost {
    throw new Error('not a WebSocket context');
  }
  getRequest<T = FastifyRequest>(): T {
    return this.request as T;
  }
  getResponse<T = FastifyReply>(): T {
    return this.reply as T;
  }
  getNext<T>(): T {
    return undefined as T;
  }
}

/**
 * Runs guards in order, as Nest's router does for a controller: the first refusal throws (a guard
 * that answers `false` gets Nest's own 403).
 */
export async function passGates(
  gates: readonly CanActivate[],
  context: ExecutionContext,
): Promise<void> {
  for (const gate of gates) {
    const result = gate.canActivate(context);
    const allowed = isObservable(result) ? await lastValueFrom(result) : await result;
    if (allowed !== true) throw new ForbiddenException('Forbidden resource');
  }
}
