/**
 * RFC 6901 JSON Pointers over parsed JSON, for the route transformations. `*` as a whole token is
 * a wildcard (every array item or object member) where a function says so; `-` appends to an array
 * where a value is added.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Parses a pointer into its tokens; undefined when it is not a pointer ("" is the root). */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (pointer.charCodeAt(0) !== 0x2f) return undefined;
  const tokens: string[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    // `~` must be followed by 0 or 1 (RFC 6901 §3).
    if (/~(?![01])/.test(raw)) return undefined;
    tokens.push(raw.replaceAll('~1', '/').replaceAll('~0', '~'));
  }
  return tokens;
}

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const INDEX = /^(0|[1-9][0-9]{0,8})$/;

/** Own members only: `__proto__` and friends are never followed. */
const own = (node: JsonObject, key: string): boolean => Object.hasOwn(node, key);

export function getAt(doc: Json, tokens: readonly string[]): Json | undefined {
  let node: Json | undefined = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = INDEX.test(token) ? node[Number(token)] : undefined;
    else if (isObject(node)) node = own(node, token) ? node[token] : undefined;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * Sets `value` at the pointer, creating missing intermediate objects (a mapping template's
 * intent); returns the new document (a new root when the pointer is the root). A path through a
 * scalar is left alone.
 */
export function setAt(doc: Json, tokens: readonly string[], value: Json): Json {
  if (tokens.length === 0) return value;
  let node: Json = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i];
    let next: Json | undefined;
    if (Array.isArray(node)) {
      if (!INDEX.test(token)) return doc;
      next = node[Number(token)];
      if (next === undefined) return doc;
    } else if (isObject(node)) {
      next = own(node, token) ? node[token] : undefined;
      if (next === undefined || next === null) {
        next = {};
        defineMember(node, token, next);
      }
    } else return doc;
    node = next;
  }
  const last = tokens[tokens.length - 1];
  if (Array.isArray(node)) {
    if (last === '-') node.push(value);
    else if (INDEX.test(last) && Number(last) <= node.length) node[Number(last)] = value;
  } else if (isObject(node)) defineMember(node, last, value);
  return doc;
}

/** A plain data property, also for `__proto__` (assignment would change the prototype). */
function defineMember(node: JsonObject, key: string, value: Json): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Removes what the pointer names; `*` matches every item or member. */
export function removeAt(doc: Json, tokens: readonly string[]): Json {
  if (tokens.length === 0) return doc;
  removeIn(doc, tokens, 0);
  return doc;
}

function removeIn(node: Json, tokens: readonly string[], i: number): void {
  const token = tokens[i];
  const last = i === tokens.length - 1;
  if (Array.isArray(node)) {
    if (token === '*') {
      if (last) node.length = 0;
      else for (const item of node) removeIn(item, tokens, i + 1);
    } else if (INDEX.test(token) && Number(token) < node.length) {
      if (last) node.splice(Number(token), 1);
      else removeIn(node[Number(token)], tokens, i + 1);
    }
  } else if (isObject(node)) {
    if (token === '*') {
      for (const key of Object.keys(node)) {
        if (last) delete node[key];
        else removeIn(node[key], tokens, i + 1);
      }
    } else if (own(node, token)) {
      if (last) delete node[token];
      else removeIn(node[token], tokens, i + 1);
    }
  }
}

/** A trie of pointers, for an allow-list. `true` marks a kept subtree. */
export interface PointerTrie {
  keep: boolean;
  children: Map<string, PointerTrie>;
}

export function pointerTrie(paths: readonly (readonly string[])[]): PointerTrie {
  const root: PointerTrie = { keep: false, children: new Map() };
  for (const tokens of paths) {
    let node = root;
    for (const token of tokens) {
      let child = node.children.get(token);
      if (child === undefined) {
        child = { keep: false, children: new Map() };
        node.children.set(token, child);
      }
      node = child;
    }
    node.keep = true;
  }
  return root;
}

/** Keeps only what the trie names (`*`: every item or member); undefined when nothing is kept. */
export function pick(node: Json, trie: PointerTrie): Json | undefined {
  if (trie.keep) return node;
  if (Array.isArray(node)) {
    const all = trie.children.get('*');
    const out: Json[] = [];
    node.forEach((item, index) => {
      const sub = all ?? trie.children.get(String(index));
      if (sub === undefined) return;
      const kept = pick(item, sub);
      if (kept !== undefined) out.push(kept);
    });
    return out;
  }
  if (isObject(node)) {
    const out: JsonObject = {};
    const all = trie.children.get('*');
    for (const key of Object.keys(node)) {
      const sub = all ?? trie.children.get(key);
      if (sub === undefined) continue;
      const kept = pick(node[key], sub);
      if (kept !== undefined) defineMember(out, key, kept);
    }
    return out;
  }
  return undefined;
}
