// The README's TypeScript snippet (src/example.ts) against the running server.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { draftName, saveProposal } from "../src/example.js";
import { API_KEY, type RunningServer, startServer } from "./server.js";

let server: RunningServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

test("the README snippet drafts a session and reads error codes", async () => {
  const name = await draftName(server.baseUrl, API_KEY, server.sessionId);
  assert.ok(name.length > 0 && !/^\d{3} /.test(name), name);
  assert.equal(await draftName(server.baseUrl, API_KEY, randomUUID()), "404 not_found");
  assert.equal(await draftName(server.baseUrl, "not-a-key", server.sessionId), "401 unauthorized");
  assert.equal(await draftName(server.baseUrl, API_KEY, "not-a-uuid"), "422 invalid request");
});

test("the README snippet saves a proposed scenario and lists it", async () => {
  const said = await saveProposal(server.baseUrl, API_KEY, server.sessionId);
  assert.match(said, /^saved [0-9a-f-]{36} with [1-9]\d* criteria, listed: true$/);
  assert.equal(await saveProposal(server.baseUrl, API_KEY, randomUUID()), "404 not_found");
  assert.equal(await saveProposal(server.baseUrl, "not-a-key", server.sessionId), "401 unauthorized");
});
