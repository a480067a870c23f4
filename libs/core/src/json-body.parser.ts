import type { FastifyBodyParser } from 'fastify';
import { BodyTooDeepError } from './edge.errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * Whether a JSON text nests objects and arrays deeper than `maxDepth`. One pass over the bytes,
 * skipping strings; stops at the first level too deep, so a hostile body costs at most its size.
 * Malformed JSON is left to the parser.
 */
export function jsonDepthExceeds(body: Uint8Array, maxDepth: number): boolean {
  if (body.length <= maxDepth) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/**
 * The JSON body parser of every BFF: refuses a body nested deeper than `maxDepth` with 400
 * `BODY_TOO_DEEP` before parsing it (recursive code further on, class-transformer and
 * class-validator among them, would overflow the stack and answer 500), then hands the body to
 * Fastify's own parser (prototype-poisoning checks included).
 */
export function jsonBodyParser(
  maxDepth: number,
  parse: FastifyBodyParser<string>,
): FastifyBodyParser<Buffer> {
  return (request, body, done) => {
    if (jsonDepthExceeds(body, maxDepth)) {
      done(new BodyTooDeepError(maxDepth), undefined);
      return;
    }
    // Fastify's parser reads the text (it would convert a Buffer itself).
    void parse.call(request.server, request, body.toString('utf8'), done);
  };
}
