/**
 * luigid's login page: a plain HTML form, every value escaped, no inline script and no inline style (the
 * stylesheet is a file of its own, `auth/login.css`), so it stands under a strict Content-Security-Policy.
 * Links are relative to the page (`/login`), so it works behind a proxy's path prefix.
 */
import { html } from "../history/pages/html.js";

export const LOGIN_CSS = `*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;color:#1f2933;background:#f5f7fa}
header{background:#1f2933;color:#fff;padding:0 16px;height:48px;display:flex;align-items:center;font-weight:600;font-size:16px}
main{max-width:360px;margin:48px auto;padding:24px;background:#fff;border:1px solid #d9e2ec;border-radius:4px}
h1{font-size:20px;margin:0 0 16px}
label{display:block;margin:0 0 12px;font-weight:600}
input{display:block;width:100%;margin-top:4px;padding:6px 8px;font:inherit;border:1px solid #9aa5b1;border-radius:4px}
button{font:inherit;padding:6px 16px;border:1px solid #0044dd;background:#0044dd;color:#fff;border-radius:4px;cursor:pointer}
.problem{color:#b00020;background:#fdecee;border:1px solid #f5c2c7;padding:8px;border-radius:4px;margin:0 0 12px}
.muted{color:#616e7c;margin:16px 0 0}
`;

export interface LoginPageOptions {
  /** Where to go after the login (relative to luigid's root). */
  next: string;
  /** The user name to fill in again after a failure. */
  user?: string;
  /** Shown above the form (a failed login, too many attempts, a logout). */
  problem?: string;
  notice?: string;
}

export function loginPage(options: LoginPageOptions): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Log in · luigi-ts</title>
        <link rel="stylesheet" href="auth/login.css" />
      </head>
      <body>
        <header>luigi-ts</header>
        <main>
          <h1>Log in to luigid</h1>
          ${options.problem ? html`<p class="problem" role="alert">${options.problem}</p>` : ""}
          ${options.notice ? html`<p class="muted" role="status">${options.notice}</p>` : ""}
          <form method="post" action="login">
            <label
              >User
              <input name="user" autocomplete="username" required autofocus value="${options.user ?? ""}"
            /></label>
            <label
              >Password <input type="password" name="password" autocomplete="current-password" required
            /></label>
            <input type="hidden" name="next" value="${options.next}" />
            <button type="submit">Log in</button>
          </form>
        </main>
      </body>
    </html>`.text;
}
