import type { DownstreamServiceConfig } from '@app/config';
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { firstValueFrom } from 'rxjs';
import type { DownstreamCall, DownstreamTransport, RawResponse } from '../downstream.types';
import { toTransportError } from './transport-errors';

/**
 * Alternative transport through @nestjs/axios, for teams whose downstream integration relies on
 * axios interceptors (`transport.http.axiosRef.interceptors`). Slower than undici; chosen per service.
 */
export class AxiosTransport implements DownstreamTransport {
  readonly kind = 'axios';
  readonly http: HttpService;
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private next = 0;

  constructor(private readonly service: DownstreamServiceConfig) {
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: service.connections });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: service.connections });
    this.http = new HttpService(
      axios.create({
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        timeout: service.timeoutMs,
        maxRedirects: 0,
        responseType: 'arraybuffer',
        // Status handling is the pipeline's job, not axios'.
        validateStatus: () => true,
        transformResponse: [(data: unknown) => data],
      }),
    );
  }

  readonly send = async (call: DownstreamCall): Promise<RawResponse> => {
    const base = this.service.urls[this.next++ % this.service.urls.length];
    try {
      const res = await firstValueFrom(
        this.http.request<ArrayBuffer>({
          url: base + call.path,
          method: call.method,
          headers: call.headers,
          data: call.body,
          signal: call.signal,
        }),
      );
      return {
        status: res.status,
        headers: res.headers as Record<string, string | string[] | undefined>,
        body: Buffer.from(res.data),
      };
    } catch (error) {
      throw toTransportError(error, call);
    }
  };

  async close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
