// Headless Chromium for the browser tests: Debian's `chromium` (or `CHROMIUM`),
// driven over the DevTools protocol by playwright-core, with the flags that keep it
// off the network this machine does not have.
import { type Browser, chromium } from "playwright-core";

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    // playwright-core adds --headless and a fresh --user-data-dir itself.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
