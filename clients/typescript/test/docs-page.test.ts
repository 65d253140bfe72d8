// The server's /docs page in headless Chromium (Debian's `chromium`, driven over
// the DevTools protocol by playwright-core): Swagger UI renders the contract from
// the binary's own assets, lists the draft operation, takes the API key through
// "Authorize", and "Try it out" returns a draft from the running server. Every
// request the page makes must go to that server; any other is blocked and fails
// the test. `CHROMIUM` names the browser (default: /usr/bin/chromium);
// `DOCS_SCREENSHOT`, when set, is where a screenshot of the result is written.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import type { Browser } from "playwright-core";

import { launchChromium } from "./browser.js";
import { API_KEY, type RunningServer, startServer } from "./server.js";

let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("/docs lists the draft operation and Try it out drafts a scenario", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const origin = new URL(server.baseUrl).origin;
  const elsewhere: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));

  await page.goto(`${server.baseUrl}/docs`);
  const operation = page.locator("#operations-scenarios-draftScenarioFromSession");
  await operation.waitFor({ timeout: 30_000 });
  assert.match(await operation.locator(".opblock-summary-path").innerText(), /\/v1\/scenarios\/draft-from-session/);
  assert.equal(await page.locator(".servers select option").first().getAttribute("value"), origin);

  // Authorize: the contract's APIKeyHeader scheme asks for x-api-key.
  await page.locator(".auth-wrapper .authorize").click();
  const dialog = page.locator(".modal-ux");
  await dialog.getByText("APIKeyHeader").first().waitFor();
  await dialog.locator("input").first().fill(API_KEY);
  await dialog.locator("button.authorize").click();
  await dialog.locator("button.btn-done").click();

  // Try it out on the draft operation with a stored session.
  await operation.locator(".opblock-summary").first().click();
  await operation.locator("button.try-out__btn").click();
  await operation.locator("textarea.body-param__text").fill(JSON.stringify({ session_id: server.sessionId }));
  await operation.locator("button.execute").click();
  const live = operation.locator(".live-responses-table");
  await live.locator(".response-col_status").first().waitFor({ timeout: 30_000 });
  const status = (await live.locator("tbody .response-col_status").first().innerText()).trim();
  const body = await live.locator("tbody .response-col_description pre").first().innerText();
  assert.equal(status, "200", body);
  const draft = JSON.parse(body) as { intent?: string; name?: string; source?: string; mock_world?: object };
  assert.ok(draft.intent && draft.intent.length > 0, body);
  assert.ok(draft.name && draft.name.length > 0, body);
  assert.equal(draft.source, "drafted");
  assert.equal(typeof draft.mock_world, "object");
  const curl = await operation.locator(".curl-command").innerText();
  assert.match(curl, new RegExp(`x-api-key: ${API_KEY}`));

  if (process.env.DOCS_SCREENSHOT) {
    await live.scrollIntoViewIfNeeded();
    await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: false });
  }
  assert.deepEqual(elsewhere, [], "the page asked for something outside the server");
  assert.deepEqual(pageErrors, []);
  await context.close();
});
