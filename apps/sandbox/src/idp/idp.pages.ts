const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// Self-contained pages: the sandbox runs offline, so no web fonts or external assets.
const STYLE =
  'body{font-family:system-ui,sans-serif;margin:40px auto;max-width:360px}' +
  'input,button{font-size:16px;padding:8px;width:100%;box-sizing:border-box;margin:6px 0}' +
  '.error{color:#b00020}code{background:#eee;padding:0 3px}';

export function page(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** The dev login form: any seeded, active user id signs in without a password. */
export function loginPage(uid: string, clientId: string, error?: string, login = ''): string {
  const message =
    error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>`;
  return page(
    'Sandbox sign-in',
    `<p>Signing in to <strong>${escapeHtml(clientId)}</strong>. Enter a seeded user id:
<code>usr_0001</code> (admin), <code>usr_0002</code> (support), <code>usr_0004</code> (customer).</p>
${message}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<label for="login">User id</label>
<input id="login" name="login" required autofocus value="${escapeHtml(login)}" pattern="usr_[0-9]{4}">
<button type="submit" id="sign-in">Sign in</button>
</form>
<p><a href="/interaction/${escapeHtml(uid)}/abort">Cancel</a></p>`,
  );
}
