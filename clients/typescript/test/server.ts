// Starts the real `feather` binary on an ephemeral port over a fresh SQLite file,
// as a person would: `feather serve --bind 127.0.0.1:0`. The server stores the
// example sessions and prints its address and a session to draft; both are read
// from its output. `FEATHER_BIN` names the binary (default: target/debug/feather).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const API_KEY = "ecosystem-test-key";

export interface RunningServer {
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
  /** One of the example sessions the server stored. */
  sessionId: string;
  /** The server's SQLite file, for `feather keys create --database-url`. */
  databaseUrl: string;
  /** The binary the server runs. */
  bin: string;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, "../../../..");

/** Starts the server; `extraArgs` are more flags of `feather serve`. */
export async function startServer(extraArgs: string[] = []): Promise<RunningServer> {
  const bin = process.env.FEATHER_BIN ?? join(root, "target/debug/feather");
  const dir = mkdtempSync(join(tmpdir(), "feather-ecosystem-"));
  const databaseUrl = join(dir, "feather.db");
  const args = ["serve", "--bind", "127.0.0.1:0", "--database-url", databaseUrl];
  const child: ChildProcess = spawn(bin, [...args, "--api-key", API_KEY, "--log-level", "warn", ...extraArgs], {
    stdio: ["ignore", "inherit", "pipe"],
  });
  let output = "";
  const started = new Promise<{ baseUrl: string; sessionId: string }>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`${bin} did not start in 30 s:\n${output}`)), 30_000);
    child.on("error", (err) => reject(new Error(`cannot run ${bin}: ${err.message}`)));
    child.on("exit", (code) => reject(new Error(`${bin} exited with ${code}:\n${output}`)));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      output += chunk;
      const address = /Feather API listening on (http:\/\/\S+)/.exec(output);
      const session = /"session_id": "([0-9a-f-]{36})"/.exec(output);
      if (address?.[1] && session?.[1]) {
        clearTimeout(timer);
        resolveStart({ baseUrl: address[1], sessionId: session[1] });
      }
    });
  });
  const { baseUrl, sessionId } = await started;
  return {
    baseUrl,
    sessionId,
    databaseUrl,
    bin,
    async stop() {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGINT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
