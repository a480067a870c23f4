/** The downstream services the sandbox plays, in port order (control port + 1 .. + 5). */
export const SANDBOX_SERVICES = ['users', 'orders', 'catalog', 'inventory', 'reviews'] as const;

export type SandboxServiceName = (typeof SANDBOX_SERVICES)[number];

export function isSandboxService(name: unknown): name is SandboxServiceName {
  return typeof name === 'string' && (SANDBOX_SERVICES as readonly string[]).includes(name);
}

/** One request as a service received it (headers keep Node's lowercase names and arrays). */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  receivedAt: string;
  /** gRPC calls: the client's address and port (calls on one HTTP/2 connection share it). */
  peer?: string;
}
