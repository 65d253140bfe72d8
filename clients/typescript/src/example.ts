// The TypeScript snippet of docs/clients.md, which `npm run example` runs
// (src/run-example.ts) and test/example.test.ts runs against the server.
import { featherClient } from "./client.js";

/** The name of a session's draft, or the status and error code the server answered. */
export async function draftName(baseUrl: string, apiKey: string, sessionId: string): Promise<string> {
  const client = featherClient(baseUrl, apiKey);
  const { data, error, response } = await client.POST("/v1/scenarios/draft-from-session", {
    body: { session_id: sessionId },
  });
  if (data !== undefined) {
    return data.name;
  }
  // An ErrorResponse has a stable `error` code (an open set); a 422 is FastAPI's
  // HTTPValidationError, with pydantic's `detail` list.
  if (error !== undefined && "error" in error) {
    return `${response.status} ${error.error}`;
  }
  return `${response.status} invalid request`;
}

/**
 * Saves the scenario proposed from a session (its draft and suggested success
 * criteria) and finds it in the list of that session's scenarios: the saved
 * scenario's id and criteria count, or the status and error code answered.
 */
export async function saveProposal(baseUrl: string, apiKey: string, sessionId: string): Promise<string> {
  const client = featherClient(baseUrl, apiKey);
  const proposed = await client.POST("/v1/scenarios/proposal-from-session", {
    body: { session_id: sessionId },
  });
  if (proposed.data === undefined) {
    return `${proposed.response.status} ${errorCode(proposed.error)}`;
  }
  // The proposal is a ready-to-send ScenarioCreate.
  const saved = await client.POST("/v1/scenarios", { body: proposed.data });
  if (saved.data === undefined) {
    return `${saved.response.status} ${errorCode(saved.error)}`;
  }
  // Lists are newest first, a page at a time: `next_cursor` asks for the next one.
  const listed = await client.GET("/v1/scenarios", {
    params: { query: { session_id: sessionId, limit: 10 } },
  });
  const found = listed.data?.items.some((scenario) => scenario.id === saved.data.id) ?? false;
  return `saved ${saved.data.id} with ${saved.data.success_criteria.length} criteria, listed: ${found}`;
}

function errorCode(error: unknown): string {
  return typeof error === "object" && error !== null && "error" in error ? String(error.error) : "invalid request";
}
