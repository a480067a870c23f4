import { DownstreamClient, TranscodeError } from '@app/downstream';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CompiledRoute } from './route-table.types';
import {
  InvalidRequestMessageError,
  MethodNotAllowedError,
  PayloadTooLargeError,
} from './routing.errors';
import { ORIGINAL_CONTENT_TYPE } from './routing.hooks';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * REST to gRPC on a declarative route (as Envoy's gRPC-JSON transcoder and grpc-gateway do): the
 * path parameters, the query and the JSON body become the RPC's request message, strictly (unknown
 * fields and type mismatches are 400 `INVALID_REQUEST`), and the answer goes back as proto3 JSON.
 * The call runs the service's whole stack (deadline, metadata, retries of idempotent RPCs, breaker,
 * bulkhead, balancing); its statuses are mapped at the gRPC transport's edge.
 */
@Injectable()
export class GrpcTranscoder {
  constructor(private readonly downstream: DownstreamClient) {}

  async forward(route: CompiledRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const grpc = route.grpc as NonNullable<CompiledRoute['grpc']>;
    if (!route.methods.has(request.method)) {
      reply.header('allow', route.allow);
      throw new MethodNotAllowedError(`${request.method} is not allowed on this route`);
    }
    const contracts = this.downstream.grpcContractsOf(route.service);
    const rpc = contracts.method(grpc.rpc);
    const body = await this.readJson(route, request, reply);
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    let message: Record<string, unknown>;
    try {
      message = contracts.messageFor(
        rpc,
        request.params as Record<string, string>,
        new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
        body,
      );
    } catch (error) {
      if (error instanceof TranscodeError) throw new InvalidRequestMessageError(error.message);
      throw error;
    }
    const answer = await this.downstream.rpc(route.service, { method: rpc.name, message });
    void reply.status(200).header('content-type', 'application/json; charset=utf-8').send(answer);
  }

  /** The JSON body of a POST, PUT or PATCH, within the route's size limit; undefined without one. */
  private async readJson(
    route: CompiledRoute,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown> {
    const raw = request.raw;
    const length = raw.headers['content-length'];
    if (
      raw.headers['transfer-encoding'] === undefined &&
      (length === undefined || length === '0')
    ) {
      return undefined;
    }
    if (Number(length) > route.maxBodyBytes) {
      reply.header('connection', 'close');
      throw new PayloadTooLargeError('Request body is too large');
    }
    const masked = (raw as { [ORIGINAL_CONTENT_TYPE]?: string | null })[ORIGINAL_CONTENT_TYPE];
    const type = masked === undefined ? raw.headers['content-type'] : masked;
    if (typeof type !== 'string' || !JSON_TYPE.test(type)) {
      reply.header('connection', 'close');
      throw new InvalidRequestMessageError(
        'The body must be JSON (Content-Type: application/json)',
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of raw) {
      size += (chunk as Buffer).length;
      if (size > route.maxBodyBytes) {
        reply.header('connection', 'close');
        throw new PayloadTooLargeError('Request body is too large');
      }
      chunks.push(chunk as Buffer);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      throw new InvalidRequestMessageError('The body is not valid JSON');
    }
  }
}
