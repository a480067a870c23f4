import { Header, applyDecorators } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { ShapingInputError, UnsupportedVersionError } from './shaping.errors';

/** A deprecated API version: when it was deprecated and when it stops being served. */
export interface DeprecatedVersion {
  /** ISO date of the deprecation (`Deprecation` header, RFC 9745). */
  since: string;
  /** ISO date after which the version may stop answering (`Sunset` header, RFC 8594). */
  sunset: string;
  /** Where the migration is documented (`Link: <...>; rel="deprecation"`). */
  link?: string;
}

/** Options of {@link ApiVersioning}. */
export interface ApiVersioningOptions {
  /** Vendor of the media types: `application/vnd.<vendor>.v2+json`. */
  vendor: string;
  /** Versions served, e.g. `['1', '2']`. */
  versions: readonly string[];
  /** Deprecated versions and their dates. */
  deprecated?: Readonly<Record<string, DeprecatedVersion>>;
  /** Path prefixes that are never versioned (health, docs, metrics, pass-through routes). */
  unversionedPrefixes?: readonly string[];
}

/** `Deprecation` (RFC 9745: `@<unix seconds>`), `Sunset` (RFC 8594: HTTP-date) and `Link` headers. */
export function deprecationHeaders(d: DeprecatedVersion): Record<string, string> {
  const since = Date.parse(d.since);
  const sunset = Date.parse(d.sunset);
  if (Number.isNaN(since) || Number.isNaN(sunset)) {
    throw new Error(`Deprecation dates must be ISO dates (got "${d.since}", "${d.sunset}")`);
  }
  const headers: Record<string, string> = {
    deprecation: `@${Math.floor(since / 1000)}`,
    sunset: new Date(sunset).toUTCString(),
  };
  if (d.link !== undefined) headers.link = `<${d.link}>; rel="deprecation"`;
  return headers;
}

/**
 * Marks one endpoint deprecated: the headers are static (set by Nest's `@Header`, no per-request
 * work) and the OpenAPI operation is flagged `deprecated`.
 */
export const DeprecatedEndpoint = (d: DeprecatedVersion): MethodDecorator =>
  applyDecorators(
    ...Object.entries(deprecationHeaders(d)).map(([name, value]) => Header(name, value)),
    ApiOperation({ deprecated: true }),
  );

interface RequestedVersion {
  version: string;
  via: 'uri' | 'media-type';
}

const REQUESTED = Symbol('bff.apiVersion');
const URI_VERSION = /^\/v(\d{1,4})(?=[/?]|$)/;
const ALWAYS_UNVERSIONED = ['/health', '/docs', '/metrics'];

/**
 * URI versioning (`/v2/products/1`, Nest's URI versioning) and media-type versioning
 * (`Accept: application/vnd.mobile.v2+json` on `/products/1`) for one app. The media type is turned
 * into the URI form before routing (Fastify `rewriteUrl`), so one set of versioned controllers
 * serves both. A version that is not served gets a JSON 404 (URI) or 406 (media type) listing the
 * supported ones; deprecated versions carry `Deprecation`, `Sunset` and `Link` headers.
 */
export class ApiVersioning {
  private readonly supported: ReadonlySet<string>;
  private readonly mediaType: RegExp;
  private readonly marker: string;
  private readonly unversioned: readonly string[];
  private readonly deprecationHeaders = new Map<string, Record<string, string>>();
  private readonly list: string;

  constructor(options: ApiVersioningOptions) {
    this.supported = new Set(options.versions);
    this.list = options.versions.join(', ');
    this.marker = `vnd.${options.vendor}.`;
    const vendor = options.vendor.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.mediaType = new RegExp(`application/vnd\\.${vendor}\\.v(\\d{1,4})(?:\\+json)?`, 'i');
    this.unversioned = [...ALWAYS_UNVERSIONED, ...(options.unversionedPrefixes ?? [])];
    for (const [version, d] of Object.entries(options.deprecated ?? {})) {
      this.deprecationHeaders.set(version, deprecationHeaders(d));
    }
  }

  /** Fastify `rewriteUrl`: records the requested version and maps a media type onto the URI form. */
  readonly rewriteUrl = (req: IncomingMessage): string => {
    const url = req.url ?? '/';
    const accept = req.headers.accept;
    const fromMedia =
      accept !== undefined && accept.includes(this.marker)
        ? this.mediaType.exec(accept)?.[1]
        : undefined;
    const uri = URI_VERSION.exec(url);
    if (uri !== null) {
      const requested: RequestedVersion & { conflict?: string } = { version: uri[1], via: 'uri' };
      if (fromMedia !== undefined && fromMedia !== uri[1]) requested.conflict = fromMedia;
      (req as { [REQUESTED]?: RequestedVersion })[REQUESTED] = requested;
      return url;
    }
    if (fromMedia === undefined || this.isUnversioned(url)) return url;
    (req as { [REQUESTED]?: RequestedVersion })[REQUESTED] = {
      version: fromMedia,
      via: 'media-type',
    };
    return `/v${fromMedia}${url}`;
  };

  /** Adds the onRequest hook that refuses unsupported versions and marks deprecated ones. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
      const requested = (request.raw as { [REQUESTED]?: RequestedVersion & { conflict?: string } })[
        REQUESTED
      ];
      if (requested === undefined) return done();
      if (requested.conflict !== undefined) {
        return done(
          new ShapingInputError(
            'VERSION_CONFLICT',
            `The path asks for API version ${requested.version} but Accept asks for ${requested.conflict}`,
          ),
        );
      }
      if (!this.supported.has(requested.version)) {
        const status = requested.via === 'uri' ? 404 : 406;
        return done(
          new UnsupportedVersionError(
            status,
            `API version ${requested.version} is not supported; supported versions: ${this.list}`,
          ),
        );
      }
      const deprecation = this.deprecationHeaders.get(requested.version);
      if (deprecation !== undefined) reply.headers(deprecation);
      if (requested.via === 'media-type') reply.header('vary', 'Accept');
      done();
    });
  }

  private isUnversioned(url: string): boolean {
    for (const prefix of this.unversioned) {
      if (
        url.startsWith(prefix) &&
        (url.length === prefix.length || '/?'.includes(url[prefix.length]))
      ) {
        return true;
      }
    }
    return false;
  }
}
