// `npm run example -- SESSION_ID`: the README's TypeScript snippet (src/example.ts)
// from the command line, against FEATHER_URL (default http://127.0.0.1:8000) with
// the key in FEATHER_API_KEY. It prints the draft's name, then saves the scenario
// proposed from the session and says so, or prints the status and error code the
// server answered (and then exits with 1).
import { draftName, saveProposal } from "./example.js";

const baseUrl = process.env.FEATHER_URL ?? "http://127.0.0.1:8000";
const apiKey = process.env.FEATHER_API_KEY;
const sessionId = process.argv[2];
if (apiKey === undefined || sessionId === undefined) {
  console.error("usage: FEATHER_API_KEY=KEY [FEATHER_URL=URL] npm run example -- SESSION_ID");
  process.exit(2);
}
const said = await draftName(baseUrl, apiKey, sessionId);
console.log(said);
// An answer other than a draft is "STATUS CODE" (see example.ts).
if (/^\d{3} /.test(said)) {
  process.exitCode = 1;
} else {
  const saved = await saveProposal(baseUrl, apiKey, sessionId);
  console.log(saved);
  if (/^\d{3} /.test(saved)) {
    process.exitCode = 1;
  }
}
