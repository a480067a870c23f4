/** Tagged template that percent-encodes every interpolated path segment: dpath`/products/${id}`. */
export function dpath(strings: TemplateStringsArray, ...params: (string | number)[]): string {
  let out = strings[0];
  for (let i = 0; i < params.length; i++)
    out += encodeURIComponent(String(params[i])) + strings[i + 1];
  return out;
}
