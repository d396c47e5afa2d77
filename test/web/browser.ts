/**
 * Headless Chromium for the visualiser tests and the benchmark: Debian's /usr/bin/chromium driven by
 * playwright-core (never a downloaded browser). Tests skip, saying why, when it is not installed.
 */
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Locator } from "playwright-core";
import chromiumSettings from "../../bench/chromium.json" with { type: "json" };

// Debian's Chromium and its flags, shared with bench/visualiser.js.
export const CHROMIUM = process.env.LUIGI_TEST_CHROMIUM ?? chromiumSettings.executable;

export const CHROMIUM_ARGS: readonly string[] = chromiumSettings.args;

/** Why the browser tests cannot run here, or null when they can. */
export function browserSkipReason(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) to run the browser tests`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

/** A fresh folder for screenshots, under the system temp dir (kept after the run; see global-setup). */
export function screenshotDir(): string {
  const root = process.env.LUIGI_TS_SCREENSHOTS_ROOT ?? tmpdir();
  const dir = path.join(root, `luigi-ts-screens-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A locator's text, "" while it is not there (for expect.poll). */
export function txt(locator: Locator): Promise<string> {
  return locator
    .first()
    .textContent({ timeout: 1000 })
    .then(
      (t) => t ?? "",
      () => "",
    );
}
