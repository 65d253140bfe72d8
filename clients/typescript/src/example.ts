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
