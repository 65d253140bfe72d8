// The review page (GET /review): list captured sessions, open one's proposed
// scenario, edit it within the contract's limits, save it, and list or delete the
// saved scenarios. It uses the public API only, with the key the person typed,
// kept for this tab in sessionStorage and sent as x-api-key.
//
// Every value from the API reaches the page through textContent or a form field's
// value, never as markup, so a name like `<img src=x onerror=...>` stays text.

// The contract's limits (openapi.json: ScenarioCreate and SuccessCriterion),
// counted in characters (code points) as the server counts them. The block between
// the markers is JSON; tests/integration/review.rs checks it against the contract.
/* contract-limits */
const LIMITS = {
  "name": { "minLength": 1, "maxLength": 255 },
  "intent": { "minLength": 1, "maxLength": 500 },
  "journey": { "maxLength": 20000 },
  "criterion_description": { "minLength": 1, "maxLength": 500 },
  "output_types": ["boolean", "score_5"]
};
/* end contract-limits */

const KEY_STORAGE = "feather.review.apiKey";
const PAGE_SIZE = 20;

// What each placeholder label of the drafter's redaction stands for
// (crates/drafter/src/pii.rs); an unknown label is shown as it is.
const PII_KINDS = {
  NAME: "person names",
  ADDRESS: "street addresses",
  POSTAL_CODE: "postal codes",
  DOB: "dates of birth",
  EMAIL: "email addresses",
  PHONE: "phone numbers",
  CARD: "payment card numbers",
  SSN: "social security numbers",
  NATIONAL_ID: "national ids",
  ACCOUNT: "account numbers",
  IBAN: "IBANs",
  IP: "IP addresses",
  USER_ID: "user ids built from names",
};

// A placeholder: `<NAME_1>`, `<EMAIL_2>`, `<NAME_1_GIVEN>`, `<POSTAL_CODE_3>`.
const PLACEHOLDER = /<([A-Z]+(?:_[A-Z]+)*?)_(\d+)(?:_(GIVEN|MIDDLE|FAMILY))?>/g;

const $ = (id) => document.getElementById(id);

/** The length the contract limits: code points, as pydantic counts them. */
export function charCount(text) {
  return [...text].length;
}

// ---------------------------------------------------------------------------
// The API

/** An answer of the API that is not a success, or a failed request. */
class ApiFailure extends Error {
  constructor(status, message, details = []) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || "";
}

/** Calls one operation; resolves to its JSON body (null for 204). */
async function api(method, path, body) {
  const headers = { "x-api-key": apiKey(), accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (err) {
    throw new ApiFailure(0, `The server could not be reached (${err.message}). Check the connection and try again.`);
  }
  if (response.status === 204) return null;
  let parsed = null;
  const text = await response.text();
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (response.ok) return parsed;
  if (parsed && Array.isArray(parsed.detail)) {
    // FastAPI's HTTPValidationError: one entry per field.
    const details = parsed.detail.map((d) => ({
      loc: Array.isArray(d.loc) ? d.loc.join(" → ") : "",
      msg: String(d.msg ?? ""),
    }));
    throw new ApiFailure(response.status, "The request was not valid:", details);
  }
  if (parsed && typeof parsed.message === "string") {
    throw new ApiFailure(response.status, parsed.message);
  }
  throw new ApiFailure(response.status, `The server answered ${response.status} ${response.statusText}.`);
}

// ---------------------------------------------------------------------------
// Messages

function showError(err) {
  const box = $("error");
  box.replaceChildren();
  const head = document.createElement("p");
  const status = err instanceof ApiFailure && err.status ? `${err.status}: ` : "";
  head.textContent = `${status}${err.message}`;
  head.className = "error-message";
  box.append(head);
  if (err instanceof ApiFailure && err.details.length > 0) {
    const list = document.createElement("ul");
    list.className = "error-details";
    for (const detail of err.details) {
      const item = document.createElement("li");
      const loc = document.createElement("code");
      loc.textContent = detail.loc;
      item.append(loc, document.createTextNode(`: ${detail.msg}`));
      list.append(item);
    }
    box.append(list);
  }
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").replaceChildren();
}

function say(text) {
  $("status").textContent = text;
}

/** Runs an action, showing its failure instead of leaving the page blank. */
async function attempt(action) {
  clearError();
  try {
    await action();
  } catch (err) {
    showError(err instanceof Error ? err : new Error(String(err)));
  }
}

// ---------------------------------------------------------------------------
// Paged lists. A list is an operation that answers {items, next_cursor}, in its
// own order, and a way to show one item: triage's candidates (highest score
// first, with the coverage line), the sessions and the saved scenarios (newest
// first) are three such lists.

class PagedList {
  constructor({ list, more, path, renderItem, empty, onPage = () => {} }) {
    this.list = list;
    this.more = more;
    this.path = path;
    this.renderItem = renderItem;
    this.empty = empty;
    this.onPage = onPage;
    this.cursor = null;
    more.addEventListener("click", () => attempt(() => this.load(false)));
  }

  /** Loads the first page (`fresh`) or the next one. */
  async load(fresh) {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (!fresh && this.cursor) query.set("cursor", this.cursor);
    const page = await api("GET", `${this.path}?${query}`);
    if (fresh) this.list.replaceChildren();
    for (const item of page.items) this.list.append(this.renderItem(item));
    this.onPage(page);
    if (this.list.children.length === 0) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = this.empty;
      this.list.append(none);
    }
    this.cursor = page.next_cursor ?? null;
    this.more.hidden = !this.cursor;
  }

  clear() {
    this.list.replaceChildren();
    this.cursor = null;
    this.more.hidden = true;
  }
}

function text(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className) element.className = className;
  return element;
}

function when(timestamp) {
  if (!timestamp) return "";
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? String(timestamp) : date.toLocaleString();
}

// A button named after a session's draft that opens the session (disabled when it
// cannot be drafted).
function openButton(name, sessionId, className) {
  const open = text("button", name ?? "(cannot be drafted)", `link ${className}`);
  open.type = "button";
  open.dataset.sessionId = sessionId;
  open.disabled = name == null;
  open.addEventListener("click", () => attempt(() => openSession(sessionId)));
  return open;
}

function sessionItem(session) {
  const item = document.createElement("li");
  item.className = "item";
  const open = openButton(session.name, session.session_id, "open-session");
  const meta = text(
    "p",
    [session.outcome ?? "no outcome", session.channel, `captured ${when(session.captured_at)}`]
      .filter(Boolean)
      .join(" · "),
    "muted outcome",
  );
  item.append(open, meta);
  return item;
}

// A triage group: its representative session's draft name opens that session;
// beside it the group's size, whether a saved scenario covers it, and the signals
// that rank it (how many of its sessions show each).
function candidateItem(group) {
  const item = document.createElement("li");
  item.className = "item candidate";
  const open = openButton(group.name, group.representative_session_id, "open-candidate");
  const signals = Object.entries(group.signals ?? {})
    .filter(([, value]) => value === true || (typeof value === "number" && value > 0))
    .map(([signal, value]) => {
      const words = signal.replaceAll("_", " ");
      return typeof value === "number" ? `${words} ${value}` : words;
    });
  const size = `${group.size} session${group.size === 1 ? "" : "s"}`;
  const covered = group.covered ? "covered" : "not covered";
  item.append(open, text("p", [size, covered, ...signals].join(" · "), "muted candidate-meta"));
  return item;
}

function showCoverage(coverage) {
  if (!coverage) return;
  const percent = (share) => `${Math.round(share * 100)}%`;
  $("coverage").textContent =
    `Saved scenarios cover ${coverage.sessions_covered} of ${coverage.sessions} sessions ` +
    `(${percent(coverage.session_share)}) and ${coverage.groups_covered} of ${coverage.groups} groups ` +
    `(${percent(coverage.group_share)}).`;
}

function scenarioItem(scenario) {
  const item = document.createElement("li");
  item.className = "item scenario";
  item.dataset.scenarioId = scenario.id;
  const name = text("p", scenario.name, "scenario-name");
  const meta = text("p", `saved ${when(scenario.created_at)}`, "muted");
  const remove = text("button", "Delete", "delete-scenario");
  remove.type = "button";
  remove.setAttribute("aria-label", `Delete scenario ${scenario.name}`);
  remove.addEventListener("click", () =>
    attempt(async () => {
      await api("DELETE", `/v1/scenarios/${encodeURIComponent(scenario.id)}`);
      say(`Deleted scenario “${scenario.name}”.`);
      await scenarios.load(true);
      await candidates.load(true);
    }),
  );
  item.append(name, meta, remove);
  return item;
}

const candidates = new PagedList({
  list: $("candidate-list"),
  more: $("candidates-more"),
  path: "/v1/sessions/candidates",
  renderItem: candidateItem,
  empty: "No candidates: no session has been signed yet.",
  onPage: (page) => showCoverage(page.coverage),
});

const sessions = new PagedList({
  list: $("session-list"),
  more: $("sessions-more"),
  path: "/v1/sessions",
  renderItem: sessionItem,
  empty: "No captured sessions.",
});

const scenarios = new PagedList({
  list: $("scenario-list"),
  more: $("scenarios-more"),
  path: "/v1/scenarios",
  renderItem: scenarioItem,
  empty: "No saved scenarios.",
});

// ---------------------------------------------------------------------------
// Placeholders and the journey's links to the mock world

/** `parent` gets `content` as text, each placeholder in a <mark>. */
function appendHighlighted(parent, content) {
  let at = 0;
  for (const match of content.matchAll(PLACEHOLDER)) {
    if (match.index > at) parent.append(document.createTextNode(content.slice(at, match.index)));
    const mark = text("mark", match[0], "pii");
    mark.title = PII_KINDS[match[1]] ?? match[1];
    parent.append(mark);
    at = match.index + match[0].length;
  }
  if (at < content.length) parent.append(document.createTextNode(content.slice(at)));
}

/** The kinds of personal data redacted in `texts`, each with its placeholders. */
export function redactedKinds(texts) {
  const kinds = new Map();
  for (const content of texts) {
    for (const match of content.matchAll(PLACEHOLDER)) {
      const kind = PII_KINDS[match[1]] ?? match[1];
      if (!kinds.has(kind)) kinds.set(kind, new Set());
      kinds.get(kind).add(`<${match[1]}_${match[2]}>`);
    }
  }
  return kinds;
}

/**
 * The journey's steps and, for each tool call, the recorded call it is.
 *
 * The rule (docs/review.md): a journey line `N. Agent calls TOOL(...)` or
 * `N. Tool TOOL (call not recorded)` is TOOL's next recorded call in the mock world,
 * whose `tools[TOOL]` lists a tool's calls in the order they were made; a line
 * ending `(repeated K times)` stands for K calls. Once the journey says steps were
 * left out (`… steps A to B left out …`) the count is lost, so later tool lines are
 * not linked. Lines naming a tool the mock world does not hold are not linked.
 */
export function linkJourney(journey, tools) {
  const used = new Map();
  let elided = false;
  const steps = [];
  for (const line of journey.split("\n")) {
    if (line.trim() === "") continue;
    const numbered = /^(\d+)\.\s(.*)$/.exec(line);
    const body = numbered ? numbered[2] : line;
    const step = { number: numbered ? Number(numbered[1]) : null, text: line, calls: [] };
    if (/^… steps \d+ to \d+ left out/.test(line)) elided = true;
    const call = /^(?:Agent calls (\S+?)\(|Tool (\S+) \(call not recorded\))/.exec(body);
    if (call && !elided) {
      const tool = call[1] ?? call[2];
      const repeats = /\(repeated (\d+) times\)$/.exec(body);
      const count = repeats ? Number(repeats[1]) : 1;
      const recorded = Array.isArray(tools?.[tool]) ? tools[tool] : [];
      for (let i = 0; i < count; i += 1) {
        const index = used.get(tool) ?? 0;
        if (index < recorded.length) {
          step.calls.push({ tool, index });
          used.set(tool, index + 1);
        }
      }
    }
    steps.push(step);
  }
  return steps;
}

const toolIds = new Map();
function callId(tool, index) {
  if (!toolIds.has(tool)) toolIds.set(tool, toolIds.size);
  return `call-${toolIds.get(tool)}-${index}`;
}

function renderJourney() {
  const steps = linkJourney($("journey").value, current?.mock_world?.tools);
  const list = $("journey-steps");
  list.replaceChildren();
  const stepOf = new Map();
  steps.forEach((step, position) => {
    const item = document.createElement("li");
    item.id = `step-${position + 1}`;
    appendHighlighted(item, step.text);
    for (const { tool, index } of step.calls) {
      const link = text("a", `recorded call ${tool} #${index + 1}`, "call-link");
      link.href = `#${callId(tool, index)}`;
      item.append(document.createTextNode(" "), link);
      stepOf.set(callId(tool, index), { id: item.id, label: step.number ?? position + 1 });
    }
    list.append(item);
  });
  for (const link of document.querySelectorAll(".step-link")) {
    const step = stepOf.get(link.dataset.call);
    link.hidden = !step;
    link.nextElementSibling.hidden = Boolean(step);
    if (step) {
      link.href = `#${step.id}`;
      link.textContent = `journey step ${step.label}`;
    }
  }
}

function pretty(value) {
  return JSON.stringify(value, null, 2);
}

function renderWorld(world) {
  const calls = $("world-calls");
  calls.replaceChildren();
  toolIds.clear();
  const tools = world && typeof world.tools === "object" && world.tools ? world.tools : {};
  for (const [tool, recorded] of Object.entries(tools)) {
    if (!Array.isArray(recorded)) continue;
    recorded.forEach((call, index) => {
      const card = document.createElement("article");
      card.className = "call";
      card.id = callId(tool, index);
      const heading = text("h4", `${tool} #${index + 1}`);
      const link = text("a", "", "step-link");
      link.dataset.call = card.id;
      const unlinked = text("span", "not in the journey", "muted");
      const where = document.createElement("p");
      where.append(document.createTextNode("At "), link, unlinked);
      const body = document.createElement("pre");
      const shown = { arguments: call?.arguments };
      if (call && "error" in call) shown.error = call.error;
      else shown.output = call?.output;
      shown.delay_ms = call?.delay_ms;
      appendHighlighted(body, pretty(shown));
      card.append(heading, where, body);
      calls.append(card);
    });
  }
  if (calls.children.length === 0) calls.append(text("p", "No tool was called.", "muted"));
  const rest = { ...(world ?? {}) };
  delete rest.tools;
  const restBox = $("world-rest");
  restBox.replaceChildren();
  appendHighlighted(restBox, pretty(rest));
}

function renderPrivacy() {
  const texts = [
    $("name").value,
    $("intent").value,
    $("journey").value,
    pretty(current?.mock_world ?? {}),
    ...criteriaValues().map((c) => c.description),
  ];
  const kinds = redactedKinds(texts);
  const box = $("pii-kinds");
  box.replaceChildren();
  if (kinds.size === 0) {
    box.textContent = "No placeholder of redacted personal data appears in this scenario.";
  } else {
    box.append(document.createTextNode("Redacted here: "));
    const list = document.createElement("ul");
    list.className = "kinds";
    for (const [kind, placeholders] of kinds) {
      const item = document.createElement("li");
      item.append(document.createTextNode(`${kind}: `));
      [...placeholders].forEach((placeholder, i) => {
        if (i > 0) item.append(document.createTextNode(", "));
        item.append(text("mark", placeholder, "pii"));
      });
      list.append(item);
    }
    box.append(list);
  }
  const brief = current?.source_brief ?? "";
  const said = /PII redact[^.]*\./.exec(brief);
  $("pii-brief").textContent = said ? said[0] : "nothing about personal data.";
  $("source-brief").textContent = brief || "(none)";
}

// ---------------------------------------------------------------------------
// The editor

/** The proposal being reviewed, as proposeScenarioFromSession answered it. */
let current = null;

/** Shows a field's count and error; true when it is within its limits. */
function checkField(value, limits, count, error, label) {
  const length = charCount(value);
  count.textContent = `${length} / ${limits.maxLength}`;
  let problem = "";
  if (limits.minLength && length < limits.minLength) problem = `${label} is required.`;
  else if (length > limits.maxLength)
    problem = `${label} is ${length} characters; the limit is ${limits.maxLength}.`;
  error.textContent = problem;
  error.hidden = !problem;
  count.classList.toggle("over", Boolean(problem));
  return !problem;
}

function criteriaValues() {
  return [...$("criteria-list").querySelectorAll(".criterion")].map((item) => ({
    description: item.querySelector(".criterion-description").value,
    output_type: item.querySelector(".criterion-type").value,
  }));
}

/** Re-checks every limit and enables saving only when all hold. */
function validate() {
  let ok = true;
  ok = checkField($("name").value, LIMITS.name, $("name-count"), $("name-error"), "The name") && ok;
  ok = checkField($("intent").value, LIMITS.intent, $("intent-count"), $("intent-error"), "The intent") && ok;
  ok = checkField($("journey").value, LIMITS.journey, $("journey-count"), $("journey-error"), "The journey") && ok;
  for (const item of $("criteria-list").querySelectorAll(".criterion")) {
    ok =
      checkField(
        item.querySelector(".criterion-description").value,
        LIMITS.criterion_description,
        item.querySelector(".criterion-count"),
        item.querySelector(".criterion-error"),
        "The description",
      ) && ok;
  }
  $("save").disabled = !ok || !current;
  $("save-state").textContent = ok ? "" : "Fix the fields marked above to save.";
  return ok;
}

let criterionSerial = 0;
function addCriterion(criterion) {
  const item = $("criterion-template").content.firstElementChild.cloneNode(true);
  criterionSerial += 1;
  const description = item.querySelector(".criterion-description");
  description.id = `criterion-${criterionSerial}`;
  description.value = criterion.description;
  item.querySelector(".criterion-label").htmlFor = description.id;
  const count = item.querySelector(".criterion-count");
  count.id = `criterion-${criterionSerial}-count`;
  const error = item.querySelector(".criterion-error");
  error.id = `criterion-${criterionSerial}-error`;
  description.setAttribute("aria-describedby", `${count.id} ${error.id}`);
  const type = item.querySelector(".criterion-type");
  type.id = `criterion-${criterionSerial}-type`;
  item.querySelector(".criterion-type-label").htmlFor = type.id;
  for (const option of LIMITS.output_types) type.append(text("option", option));
  type.value = LIMITS.output_types.includes(criterion.output_type) ? criterion.output_type : LIMITS.output_types[0];
  const remove = item.querySelector(".remove-criterion");
  remove.addEventListener("click", () => {
    item.remove();
    renumberCriteria();
    validate();
    $("add-criterion").focus();
  });
  description.addEventListener("input", () => {
    validate();
    renderPrivacy();
  });
  $("criteria-list").append(item);
  renumberCriteria();
  return item;
}

function renumberCriteria() {
  [...$("criteria-list").children].forEach((item, i) => {
    item.querySelector(".criterion-label").textContent = `Criterion ${i + 1}`;
    item.querySelector(".criterion-type-label").textContent = `Output of criterion ${i + 1}`;
    item.querySelector(".remove-criterion").setAttribute("aria-label", `Remove criterion ${i + 1}`);
  });
}

async function openSession(sessionId) {
  say("Proposing a scenario…");
  let proposal;
  try {
    proposal = await api("POST", "/v1/scenarios/proposal-from-session", { session_id: sessionId });
  } finally {
    say("");
  }
  current = proposal;
  $("proposal-session").textContent = proposal.source_session_id ?? sessionId;
  $("proposal-drafter").textContent = proposal.drafter_version ?? "unknown";
  $("name").value = proposal.name ?? "";
  $("intent").value = proposal.intent ?? "";
  $("journey").value = proposal.journey ?? "";
  $("criteria-list").replaceChildren();
  for (const criterion of proposal.success_criteria ?? []) addCriterion(criterion);
  renderWorld(proposal.mock_world);
  renderJourney();
  renderPrivacy();
  validate();
  $("review-empty").hidden = true;
  $("proposal").hidden = false;
  $("review-title").textContent = `Proposal: ${proposal.name ?? ""}`;
  $("review-title").focus();
}

/** The ScenarioCreate to save: the proposal with the reviewer's edits. */
function scenarioToSave() {
  return {
    ...current,
    name: $("name").value,
    intent: $("intent").value,
    journey: $("journey").value,
    success_criteria: criteriaValues(),
  };
}

async function save() {
  const saved = await api("POST", "/v1/scenarios", scenarioToSave());
  say(`Saved scenario “${saved.name}”.`);
  await scenarios.load(true);
  await candidates.load(true);
}

// ---------------------------------------------------------------------------
// The key and start-up

function showKeyState() {
  $("key-state").textContent = apiKey()
    ? "A key is set for this tab."
    : "No key yet: the key is kept in this tab only.";
}

async function loadLists() {
  await candidates.load(true);
  await sessions.load(true);
  await scenarios.load(true);
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = $("api-key").value.trim();
  if (!key) return;
  sessionStorage.setItem(KEY_STORAGE, key);
  $("api-key").value = "";
  showKeyState();
  attempt(loadLists);
});

$("forget-key").addEventListener("click", () => {
  sessionStorage.removeItem(KEY_STORAGE);
  candidates.clear();
  $("coverage").textContent = "";
  sessions.clear();
  scenarios.clear();
  showKeyState();
  clearError();
});

$("scenario-form").addEventListener("submit", (event) => {
  event.preventDefault();
  // The save button is disabled while a field is over its limit; the server
  // checks again and its 422 is shown if anything still gets through.
  if ($("save").disabled) return;
  attempt(save);
});

for (const id of ["name", "intent", "journey"]) {
  $(id).addEventListener("input", () => {
    validate();
    renderPrivacy();
    if (id === "journey") renderJourney();
  });
}

$("add-criterion").addEventListener("click", () => {
  const item = addCriterion({ description: "", output_type: LIMITS.output_types[0] });
  item.querySelector(".criterion-description").focus();
  validate();
});

showKeyState();
if (apiKey()) attempt(loadLists);
