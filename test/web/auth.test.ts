/**
 * The visualiser against a luigid with `[auth]`, in a real browser (Chromium): the page sends a browser
 * without a session to the login form, a wrong password is refused there, a right one leads back to the
 * page; the user's name and role are in the top bar; an action (pausing the scheduler) goes through with
 * the session's CSRF token and is logged with the user's name; a viewer's attempt is refused with a
 * message naming the role needed; logging out ends the session. Several rounds, each asserted.
 */
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { workdir } from "../helpers/cli.js";
import type { RunningLuigid } from "../helpers/luigid.js";
import { basic, rpcAs, startAuthLuigid, writeUsers } from "../auth/helpers.js";
import { browserSkipReason, launchChromium, screenshotDir } from "./browser.js";

const SKIP = browserSkipReason();
if (SKIP) console.warn(`visualiser login tests skipped: ${SKIP}`);

const ROUNDS = 3;
const ADMIN = basic("root", "root-pw");

describe.skipIf(SKIP !== null)("logging in to the visualiser in Chromium (real luigid with [auth])", () => {
  let daemon: RunningLuigid;
  let browser: Browser;
  let shots: string;
  let shot = 0;
  const snap = async (page: Page, name: string): Promise<void> => {
    await page.screenshot({ path: path.join(shots, `${String(++shot).padStart(2, "0")}-${name}.png`) });
  };
  const paused = async (): Promise<boolean> =>
    (
      (await rpcAs(daemon.url, "is_paused", {}, { authorization: ADMIN })).json?.response as {
        paused: boolean;
      }
    ).paused;

  beforeAll(async () => {
    const { dir } = workdir();
    const users = path.join(dir, "users.json");
    await writeUsers(users, [
      { name: "opal", role: "operator", secret: "opal-pw" },
      { name: "vera", role: "viewer", secret: "vera-pw" },
      { name: "root", role: "admin", secret: "root-pw" },
    ]);
    daemon = await startAuthLuigid(dir, users);
    shots = screenshotDir();
    console.log(`visualiser login screenshots: ${shots}`);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  async function logIn(context: BrowserContext, user: string, password: string): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
    await page.goto(`${daemon.url}/`);
    await page.waitForURL(/\/login\?next=/);
    await page.fill('input[name="user"]', user);
    await page.fill('input[name="password"]', password);
    await page.click('button[type="submit"]');
    return page;
  }

  /** Waits for the page a login leads to, with the user and role in the top bar. */
  async function loggedIn(page: Page, label: string): Promise<void> {
    await page.waitForURL(/\/static\/visualiser\/index.html/);
    await expect.poll(() => page.locator(".session-user").textContent(), { timeout: 10_000 }).toBe(label);
  }

  test("a wrong password is refused on the form; the page is not reachable without a session", async () => {
    const context = await browser.newContext();
    const page = await logIn(context, "opal", "not-it");
    await expect.poll(() => page.locator(".problem").textContent()).toBe("Wrong user name or password.");
    expect(page.url()).toContain("/login");
    expect(await page.inputValue('input[name="user"]')).toBe("opal");
    expect(await page.inputValue('input[name="password"]')).toBe("");
    await snap(page, "wrong-password");
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=workers`);
    expect(page.url()).toContain("/login?next=static%2Fvisualiser%2Findex.html");
    await context.close();
  });

  test("an operator logs in, pauses and resumes the scheduler from the page, and logs out", async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const context = await browser.newContext();
      const page = await logIn(context, "opal", "opal-pw");
      await loggedIn(page, "opal operator");
      // The session cookie is not readable by the page's scripts.
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === "luigid_session")).toMatchObject({
        httpOnly: true,
        sameSite: "Lax",
      });
      expect(await page.evaluate<string>("document.cookie")).toBe("");
      if (round === 1) await snap(page, "logged-in");

      const pause = page.locator("button.pause");
      await expect.poll(() => pause.textContent(), { timeout: 10_000 }).toBe("Scheduler running");
      await pause.click();
      await page.locator(".dialog button.danger").click();
      await expect.poll(paused, { timeout: 10_000 }).toBe(true);
      await expect.poll(() => pause.textContent()).toBe("Scheduler paused");
      expect(daemon.output()).toContain("pause by opal (operator) from 127.0.0.1");
      await pause.click();
      await page.locator(".dialog button.primary").click();
      await expect.poll(paused, { timeout: 10_000 }).toBe(false);

      await page.locator(".session button", { hasText: "Log out" }).click();
      await page.waitForURL(/\/login\?bye=1$/);
      expect(await page.locator(".muted").textContent()).toBe("You are logged out.");
      if (round === 1) await snap(page, "logged-out");
      // The session is over: the page sends the browser to the form again.
      await page.goto(`${daemon.url}/static/visualiser/index.html`);
      expect(page.url()).toContain("/login?next=");
      await context.close();
    }
  }, 120_000);

  test("a session ended elsewhere sends the page to the login form, which brings it back to the same view", async () => {
    const context = await browser.newContext();
    const page = await logIn(context, "opal", "opal-pw");
    await page.waitForURL(/\/static\/visualiser\/index.html/);
    await page.click('.nav a[href="#tab=workers"]');
    await page.waitForURL(/#tab=workers$/);
    // The session is ended from outside (as a restart of luigid would): the page's next call gets 401.
    const cookie = (await context.cookies()).find((c) => c.name === "luigid_session");
    const headers = { cookie: `luigid_session=${cookie?.value ?? ""}` };
    const session = await fetch(`${daemon.url}/auth/session`, { headers });
    const csrf = ((await session.json()) as { csrf_token: string }).csrf_token;
    const out = await fetch(`${daemon.url}/logout`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: "manual",
    });
    expect(out.status).toBe(303);
    await page.click("button.refresh");
    await page.waitForURL(/\/login\?next=static%2Fvisualiser%2Findex.html%23tab%3Dworkers/, {
      timeout: 10_000,
    });
    await page.fill('input[name="user"]', "opal");
    await page.fill('input[name="password"]', "opal-pw");
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/static\/visualiser\/index.html#tab=workers$/);
    await expect
      .poll(() => page.locator(".session-user").textContent(), { timeout: 10_000 })
      .toBe("opal operator");
    await context.close();
  });

  test("a viewer sees the page with its actions disabled, saying the role they need; luigid refuses them too", async () => {
    const context = await browser.newContext();
    const page = await logIn(context, "vera", "vera-pw");
    await loggedIn(page, "vera viewer");
    const pause = page.locator("button.pause");
    await expect.poll(() => pause.textContent(), { timeout: 10_000 }).toBe("Scheduler running");
    await expect.poll(() => pause.isDisabled(), { timeout: 10_000 }).toBe(true);
    expect(await pause.getAttribute("title")).toBe("needs the operator role; vera is viewer");
    await snap(page, "viewer-disabled");
    // The page only spares the user a click that would fail: luigid itself refuses the call.
    const refused = await page.evaluate(async () => {
      const res = await fetch("../../api/pause", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "data=%7B%7D",
      });
      return { status: res.status, text: await res.text() };
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("pause needs the operator role; vera is viewer");
    expect(await paused()).toBe(false);
    await context.close();
  });
});
