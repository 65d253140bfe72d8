// The Feather API client: openapi-fetch typed by `schema.d.ts`, which
// openapi-typescript generates from openapi.json (`npm run generate`).
import createClient from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, paths };
export type ScenarioDraft = components["schemas"]["ScenarioDraft"];
export type SessionAnalysisInput = components["schemas"]["SessionAnalysisInput"];
export type ErrorResponse = components["schemas"]["ErrorResponse"];

/** A client that sends `apiKey` in the `x-api-key` header, as the contract's `APIKeyHeader` scheme asks. */
export function featherClient(baseUrl: string, apiKey?: string) {
  return createClient<paths>({
    baseUrl,
    headers: apiKey === undefined ? {} : { "x-api-key": apiKey },
  });
}
