// The server's review page (/review) in headless Chromium, driven over the DevTools
// protocol by playwright-core as the /docs test is: a person types the key, lists
// triage's candidates and the sessions, opens one, reads its proposal
// (placeholders marked, tool calls linked to their journey steps), edits it,
// saves it, sees it among the saved scenarios and deletes it; a wrong key shows
// the API's 401 message, an over-long name that gets past the page's own check
// shows the API's 422 detail, two organizations' keys see only their own sessions
// and scenarios, a network failure is said, and a phone-width window does not
// scroll sideways. Every request must go to the server; the page must raise no
// error and break no rule of its Content-Security-Policy. `REVIEW_SCREENSHOTS`,
// when set, is a folder where the flow's screenshots are written (the lists, the
// review, the saved scenario: the README shows them, from `docs/images/`).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";

import type { Browser, BrowserContext, Page } from "playwright-core";

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

interface Opened {
  context: BrowserContext;
  page: Page;
  /** Requests to other origins, errors thrown in the page, policy violations. */
  problems: string[];
}

/** A fresh tab on /review, only this server reachable. */
async function openPage(viewport = { width: 1280, height: 800 }): Promise<Opened> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const origin = new URL(server.baseUrl).origin;
  const problems: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    problems.push(`request to ${url}`);
    return route.abort();
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  await page.goto(`${server.baseUrl}/review`);
  return { context, page, problems };
}

/** Types the key and presses Enter, as a person does. */
async function enterKey(page: Page, key: string): Promise<void> {
  await page.getByLabel("API key").fill(key);
  await page.getByLabel("API key").press("Enter");
}

/** Enters the right key and opens the server's example session. */
async function openProposal(page: Page): Promise<void> {
  await enterKey(page, API_KEY);
  const open = page.locator(`button.open-session[data-session-id="${server.sessionId}"]`);
  await open.waitFor({ timeout: 30_000 });
  await open.click();
  await page.locator("#proposal").waitFor({ state: "visible", timeout: 30_000 });
}

/** Writes a screenshot of `page` into `REVIEW_SCREENSHOTS` when it is set. */
async function screenshot(page: Page, file: string): Promise<void> {
  const folder = process.env.REVIEW_SCREENSHOTS;
  if (folder) await page.screenshot({ path: join(folder, file) });
}

/** Calls the API from the test, with the right key. */
async function apiGet(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.baseUrl}${path}`, { headers: { "x-api-key": API_KEY } });
  return { status: response.status, body: await response.json() };
}

test("from the session list to a saved scenario, and deleting it", async () => {
  const { context, page, problems } = await openPage();
  await enterKey(page, API_KEY);
  const sessions = page.locator("#session-list button.open-session");
  await sessions.first().waitFor({ timeout: 30_000 });
  // Newest first, as the API lists them, each with its draft's name and outcome.
  const listed = (await apiGet("/v1/sessions?limit=20")).body.items as { session_id: string; name: string }[];
  assert.deepEqual(
    await sessions.evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.sessionId)),
    listed.map((s) => s.session_id),
  );
  assert.equal(await sessions.first().innerText(), listed[0]?.name);
  assert.match(await page.locator("#session-list .outcome").first().innerText(), /resolved|escalated|abandoned/);
  // Triage's candidates come first, in the API's order, under the coverage line.
  const triage = (await apiGet("/v1/sessions/candidates?limit=20")).body;
  const candidates = page.locator("#candidate-list button.open-candidate");
  assert.ok(triage.items.length > 0, "the example sessions make candidates");
  assert.deepEqual(
    await candidates.evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.sessionId)),
    triage.items.map((group: any) => group.representative_session_id),
  );
  assert.equal(await candidates.first().innerText(), triage.items[0].name);
  const coverage = triage.coverage;
  assert.match(
    await page.locator("#coverage").innerText(),
    new RegExp(`cover ${coverage.sessions_covered} of ${coverage.sessions} sessions .* ${coverage.groups_covered} of ${coverage.groups} groups`),
  );
  const listsOrder = await page.evaluate(() =>
    [...document.querySelectorAll("nav.lists > section")].map((section) => section.id),
  );
  assert.deepEqual(listsOrder, ["candidates", "sessions", "scenarios"]);
  await screenshot(page, "review-sessions.png");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("feather.review.apiKey")), API_KEY);

  // The focused control is outlined for keyboard users.
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => {
    const focused = document.activeElement as HTMLElement;
    return getComputedStyle(focused).outlineStyle;
  });
  assert.notEqual(outline, "none");

  const open = page.locator(`button.open-session[data-session-id="${server.sessionId}"]`);
  await open.focus();
  await page.keyboard.press("Enter");
  await page.locator("#proposal").waitFor({ state: "visible", timeout: 30_000 });
  const proposal = await (
    await fetch(`${server.baseUrl}/v1/scenarios/proposal-from-session`, {
      method: "POST",
      headers: { "x-api-key": API_KEY, "content-type": "application/json" },
      body: JSON.stringify({ session_id: server.sessionId }),
    })
  ).json();
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), proposal.name);
  assert.equal(await page.getByLabel("Intent").inputValue(), proposal.intent);

  // Placeholders are marked, and their kinds listed beside what the brief says.
  const marks = await page.locator("#journey-steps mark.pii").allInnerTexts();
  assert.ok(marks.length > 0, "the journey's placeholders are marked");
  for (const mark of marks) assert.match(mark, /^<[A-Z_]+_\d+(_GIVEN|_MIDDLE|_FAMILY)?>$/);
  const kinds = await page.locator("#pii-kinds").innerText();
  const journeyText: string = proposal.journey;
  if (journeyText.includes("<NAME_")) assert.match(kinds, /person names/);
  if (journeyText.includes("<EMAIL_")) assert.match(kinds, /email addresses/);
  if (journeyText.includes("<PHONE_")) assert.match(kinds, /phone numbers/);
  assert.match(await page.locator("#pii-brief").innerText(), /^PII redact/);

  // Each recorded call links to its journey step and back.
  const recorded = Object.values(proposal.mock_world.tools as Record<string, unknown[]>).reduce(
    (n, calls) => n + calls.length,
    0,
  );
  assert.ok(recorded > 0);
  assert.equal(await page.locator("#journey-steps a.call-link").count(), recorded);
  const stepLinks = page.locator("#world-calls a.step-link:visible");
  assert.equal(await stepLinks.count(), recorded);
  for (const link of await stepLinks.all()) {
    const target = (await link.getAttribute("href"))!.slice(1);
    const step = await page.locator(`[id="${target}"]`).innerText();
    const tool = (await link.locator("xpath=ancestor::article").locator("h4").innerText()).split(" #")[0]!;
    assert.match(step, new RegExp(`(Agent calls |Tool )${tool}[( ]`), `${tool} links to ${step}`);
  }
  await screenshot(page, "review-proposal.png");
  await page.locator("#journey-steps a.call-link").first().click();
  assert.match(page.url(), /#call-\d+-\d+$/);

  // Over a limit: the counter says so and saving is off until it is fixed.
  const name = page.getByLabel("Name", { exact: true });
  await name.fill("n".repeat(256));
  assert.equal(await page.locator("#name-count").innerText(), "256 / 255");
  assert.ok(await page.locator("#name-error").isVisible());
  assert.ok(await page.locator("#save").isDisabled());

  // A name that is markup stays text.
  const hostile = `Reviewed <img src=x onerror="window.__injected=1"> ${Date.now()}`;
  await name.fill(hostile);
  assert.ok(await page.locator("#save").isEnabled());
  await page.locator("#add-criterion").click();
  const criteria = page.locator("#criteria-list .criterion");
  const added = criteria.last();
  await added.locator("textarea").fill("The agent thanks the customer.");
  await added.locator("select").selectOption("score_5");
  const countBefore = await criteria.count();
  await page.locator("#add-criterion").click();
  await criteria.last().locator("button.remove-criterion").click();
  assert.equal(await criteria.count(), countBefore);

  // Enter in a text field submits the form.
  await name.press("Enter");
  const saved = page.locator("#scenario-list .scenario", { hasText: hostile });
  await saved.waitFor({ timeout: 30_000 });
  assert.equal(await saved.locator(".scenario-name").innerText(), hostile);
  assert.equal(await page.locator("img").count(), 0, "no element was injected");
  assert.equal(await page.evaluate(() => (window as any).__injected), undefined);
  const stored = (await apiGet("/v1/scenarios")).body.items.find((s: any) => s.name === hostile);
  assert.ok(stored, "the scenario was saved");
  assert.equal(stored.source_session_id, server.sessionId);
  assert.deepEqual(stored.success_criteria.at(-1), {
    description: "The agent thanks the customer.",
    output_type: "score_5",
  });
  assert.equal(stored.success_criteria.length, proposal.success_criteria.length + 1);
  // The saved scenario now covers its session's group, and the line says so.
  const covered = (await apiGet("/v1/sessions/candidates?limit=20")).body.coverage;
  assert.ok(covered.groups_covered > coverage.groups_covered);
  await page
    .locator("#coverage", { hasText: `${covered.groups_covered} of ${covered.groups} groups` })
    .waitFor({ timeout: 30_000 });

  await saved.scrollIntoViewIfNeeded();
  await screenshot(page, "review-saved.png");

  await saved.locator("button.delete-scenario").click();
  await saved.waitFor({ state: "detached", timeout: 30_000 });
  const left = (await apiGet("/v1/scenarios")).body.items.filter((s: any) => s.name === hostile);
  assert.deepEqual(left, []);
  assert.match(await page.locator("#status").innerText(), /Deleted scenario/);

  assert.deepEqual(problems, []);
  await context.close();
});

test("a wrong key shows the API's 401 message", async () => {
  const { context, page, problems } = await openPage();
  await enterKey(page, "not-a-key");
  const error = page.locator("#error");
  await error.waitFor({ state: "visible", timeout: 30_000 });
  const answer = await fetch(`${server.baseUrl}/v1/sessions`, { headers: { "x-api-key": "not-a-key" } });
  assert.equal(answer.status, 401);
  const { message } = (await answer.json()) as { message: string };
  assert.equal(await error.innerText(), `401: ${message}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("an over-long name that gets past the page shows the API's 422 detail", async () => {
  const { context, page, problems } = await openPage();
  await openProposal(page);
  await page.getByLabel("Name", { exact: true }).fill("n".repeat(256));
  assert.equal(await page.locator("#name-count").innerText(), "256 / 255");
  assert.ok(await page.locator("#save").isDisabled());
  // Past the page's own check, as a stale page or a tampered one would be.
  await page.evaluate(() => {
    (document.getElementById("save") as HTMLButtonElement).disabled = false;
  });
  await page.locator("#save").click();
  const error = page.locator("#error");
  await error.waitFor({ state: "visible", timeout: 30_000 });
  assert.match(await error.locator(".error-message").innerText(), /^422: /);
  const details = await error.locator(".error-details li").allInnerTexts();
  assert.deepEqual(details, ["body → name: String should have at most 255 characters"]);
  assert.deepEqual(problems, []);
  await context.close();
});

/** A key of a new organization, made as an operator makes one. */
function organizationKey(organization: string): string {
  return execFileSync(server.bin, [
    "keys",
    "create",
    "--database-url",
    server.databaseUrl,
    "--org",
    organization,
    "--name",
    `review test ${organization}`,
  ]).toString("utf8").trim();
}

test("two organizations see only their own sessions and scenarios", async () => {
  const orgA = "a0000000-0000-4000-8000-00000000000a";
  const orgB = "b0000000-0000-4000-8000-00000000000b";
  const keyA = organizationKey(orgA);
  const keyB = organizationKey(orgB);
  // Organization A captures a session: the example's, under its own ids.
  const example = (await apiGet(`/v1/sessions/${server.sessionId}/analysis-input`)).body;
  const sessionA = "a1111111-1111-4111-8111-111111111111";
  const captured = await fetch(`${server.baseUrl}/v1/sessions/${sessionA}/analysis-input`, {
    method: "PUT",
    headers: { "x-api-key": keyA, "content-type": "application/json" },
    body: JSON.stringify({ ...example, session_id: sessionA, organization_id: orgA }),
  });
  assert.ok(captured.ok, `capture answered ${captured.status}: ${await captured.text()}`);

  // A reviews and saves it.
  const a = await openPage();
  await enterKey(a.page, keyA);
  const sessionsA = a.page.locator("#session-list button.open-session");
  await sessionsA.first().waitFor({ timeout: 30_000 });
  assert.deepEqual(
    await sessionsA.evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.sessionId)),
    [sessionA],
  );
  await sessionsA.first().click();
  await a.page.locator("#proposal").waitFor({ state: "visible", timeout: 30_000 });
  const name = `Organization A's scenario ${Date.now()}`;
  await a.page.getByLabel("Name", { exact: true }).fill(name);
  await a.page.locator("#save").click();
  await a.page.locator("#scenario-list .scenario", { hasText: name }).waitFor({ timeout: 30_000 });
  const listedA = await fetch(`${server.baseUrl}/v1/scenarios`, { headers: { "x-api-key": keyA } });
  const savedA = ((await listedA.json()) as { items: { id: string; name: string }[] }).items;
  assert.deepEqual(
    savedA.map((s) => s.name),
    [name],
  );
  assert.deepEqual(a.problems, []);
  await a.context.close();

  // B sees neither A's session nor A's scenario, on the page or through the API.
  const b = await openPage();
  await enterKey(b.page, keyB);
  // Both lists loaded, each saying it is empty.
  await b.page.locator("#session-list li.muted").waitFor({ timeout: 30_000 });
  await b.page.locator("#scenario-list li.muted").waitFor({ timeout: 30_000 });
  const listedB = await fetch(`${server.baseUrl}/v1/sessions`, { headers: { "x-api-key": keyB } });
  assert.deepEqual(((await listedB.json()) as { items: unknown[] }).items, []);
  assert.equal(await b.page.locator("#session-list button.open-session").count(), 0);
  assert.equal(await b.page.locator("#scenario-list .scenario").count(), 0);
  assert.doesNotMatch(await b.page.locator("body").innerText(), new RegExp(name));
  const scenarioA = savedA[0]!.id;
  const missing = await fetch(`${server.baseUrl}/v1/scenarios/${scenarioA}`, { headers: { "x-api-key": keyB } });
  const absent = "00000000-0000-4000-8000-000000000000";
  const never = await fetch(`${server.baseUrl}/v1/scenarios/${absent}`, { headers: { "x-api-key": keyB } });
  assert.equal(missing.status, 404);
  // What a missing scenario answers, but for the id it names.
  assert.deepEqual(JSON.stringify(await missing.json()).replace(scenarioA, absent), JSON.stringify(await never.json()));
  assert.deepEqual(b.problems, []);
  await b.context.close();
});

test("a network failure is said, not a blank page", async () => {
  const { context, page, problems } = await openPage();
  await page.route("**/v1/sessions*", (route) => route.abort("connectionrefused"));
  await enterKey(page, API_KEY);
  const error = page.locator("#error");
  await error.waitFor({ state: "visible", timeout: 30_000 });
  assert.match(await error.innerText(), /could not be reached/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("one column and no sideways scrolling on a phone; the journey beside the mock world at 1280", async () => {
  const phone = await openPage({ width: 390, height: 844 });
  await openProposal(phone.page);
  const layout = await phone.page.evaluate(() => {
    const nav = document.querySelector("nav.lists")!.getBoundingClientRect();
    const main = document.querySelector("main")!.getBoundingClientRect();
    const panes = [...document.querySelectorAll(".panes > section")].map((s) => s.getBoundingClientRect());
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      stacked: main.top >= nav.bottom,
      panesStacked: panes[1]!.top >= panes[0]!.bottom,
    };
  });
  assert.ok(layout.scrollWidth <= layout.innerWidth, JSON.stringify(layout));
  assert.ok(layout.stacked && layout.panesStacked, JSON.stringify(layout));
  assert.deepEqual(phone.problems, []);
  await phone.context.close();

  const wide = await openPage({ width: 1280, height: 800 });
  await openProposal(wide.page);
  const side = await wide.page.evaluate(() => {
    const panes = [...document.querySelectorAll(".panes > section")].map((s) => s.getBoundingClientRect());
    return {
      beside: Math.abs(panes[0]!.top - panes[1]!.top) < 1 && panes[1]!.left >= panes[0]!.right,
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    };
  });
  assert.ok(side.beside && side.scrollWidth <= side.innerWidth, JSON.stringify(side));
  assert.deepEqual(wide.problems, []);
  await wide.context.close();
});
