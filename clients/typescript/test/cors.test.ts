// CORS in a real browser: a page served from another origin calls the API with
// fetch, as a browser application would. With the page's origin allowed
// (`--cors-allow-origin`), the preflight passes, a draft comes back, and the bodies
// of a 401 and a 422 are readable; a page from an origin that is not allowed cannot
// read anything (the browser refuses the call).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";

import type { Browser } from "playwright-core";

import { launchChromium } from "./browser.js";
import { API_KEY, type RunningServer, startServer } from "./server.js";

let allowedPage: Server;
let otherPage: Server;
let allowedOrigin: string;
let otherOrigin: string;
let server: RunningServer;
let browser: Browser;

/** A web server of another origin whose one page is blank. */
async function pageServer(): Promise<[Server, string]> {
  const page = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.end("<!doctype html><title>app</title>");
  });
  await new Promise<void>((done) => page.listen(0, "127.0.0.1", done));
  return [page, `http://127.0.0.1:${(page.address() as AddressInfo).port}`];
}

before(async () => {
  [allowedPage, allowedOrigin] = await pageServer();
  [otherPage, otherOrigin] = await pageServer();
  server = await startServer(["--cors-allow-origin", allowedOrigin]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  allowedPage?.close();
  otherPage?.close();
});

interface Answer {
  status?: number;
  body?: unknown;
  failed?: string;
}

/** Calls the draft operation from a page of `origin` with fetch. */
async function draftFrom(origin: string, key: string, sessionId: string): Promise<Answer> {
  const page = await browser.newPage();
  try {
    await page.goto(origin);
    return await page.evaluate(
      async ({ api, key, sessionId }) => {
        try {
          const response = await fetch(`${api}/v1/scenarios/draft-from-session`, {
            method: "POST",
            headers: { "x-api-key": key, "content-type": "application/json" },
            body: JSON.stringify({ session_id: sessionId }),
          });
          return { status: response.status, body: await response.json() };
        } catch (err) {
          return { failed: String(err) };
        }
      },
      { api: server.baseUrl, key, sessionId },
    );
  } finally {
    await page.close();
  }
}

test("an allowed origin drafts and reads error bodies", async () => {
  const drafted = await draftFrom(allowedOrigin, API_KEY, server.sessionId);
  assert.equal(drafted.status, 200, JSON.stringify(drafted));
  assert.ok(typeof (drafted.body as { name?: unknown }).name === "string");

  const refused = await draftFrom(allowedOrigin, "not-a-key", server.sessionId);
  assert.equal(refused.status, 401, JSON.stringify(refused));
  assert.equal((refused.body as { error?: string }).error, "unauthorized");

  const invalid = await draftFrom(allowedOrigin, API_KEY, "not-a-uuid");
  assert.equal(invalid.status, 422, JSON.stringify(invalid));
  assert.ok(Array.isArray((invalid.body as { detail?: unknown }).detail));
});

test("another origin cannot read the API", async () => {
  const blocked = await draftFrom(otherOrigin, API_KEY, server.sessionId);
  assert.equal(blocked.status, undefined, JSON.stringify(blocked));
  assert.match(blocked.failed ?? "", /Failed to fetch/);
});
