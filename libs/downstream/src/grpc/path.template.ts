/**
 * A google.api.http path template (`/inventory/{product_id}`, `/v1/{name=shelves/*}/books`,
 * `/files/{path=**}`) compiled to a matcher that returns the field values it binds.
 */
export interface PathTemplate {
  readonly source: string;
  /** Field paths bound by the template, in order. */
  readonly fields: readonly string[];
  /** The bound values (decoded), or undefined when the path does not match. */
  match(path: string): Record<string, string> | undefined;
}

const VARIABLE = /^\{([A-Za-z_][A-Za-z0-9_.]*)(?:=([^}]*))?\}$/;
const LITERAL = /^[A-Za-z0-9._~-]+$/;

/** Compiles a template; throws on syntax it does not support (a boot-time configuration error). */
export function compilePathTemplate(template: string): PathTemplate {
  if (!template.startsWith('/')) throw new Error(`Path template "${template}" must start with /`);
  const fields: string[] = [];
  let pattern = '';
  // Variables may hold slashes (`{name=shelves/*}`), so segments are split outside braces only.
  const segments = template.slice(1).match(/(\{[^}]*\}|[^/]+)/g) ?? [];
  for (const segment of segments) {
    const variable = VARIABLE.exec(segment);
    if (variable === null) {
      if (segment !== '*' && segment !== '**' && !LITERAL.test(segment)) {
        throw new Error(`Path template "${template}" has an unsupported segment "${segment}"`);
      }
      pattern += segment === '*' ? '/[^/]+' : segment === '**' ? '/.*' : `/${escape(segment)}`;
      continue;
    }
    fields.push(variable[1]);
    const inner = (variable[2] ?? '*')
      .split('/')
      .map((part) => (part === '*' ? '[^/]+' : part === '**' ? '.+' : escape(part)))
      .join('/');
    pattern += `/(${inner})`;
  }
  const regex = new RegExp(`^${pattern === '' ? '/' : pattern}$`);
  return {
    source: template,
    fields,
    match(path: string) {
      const m = regex.exec(path);
      if (m === null) return undefined;
      const values: Record<string, string> = {};
      try {
        fields.forEach((field, i) => (values[field] = decodeURIComponent(m[i + 1])));
      } catch {
        return undefined;
      }
      return values;
    },
  };
}

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
