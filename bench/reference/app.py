"""The capture benchmark's reference: upstream's stack, storing into memory.

FastAPI + pydantic v2 serving PUT /v1/sessions/{session_id}/analysis-input with the
upstream SessionAnalysisInput model, built from the upstream schemas by
tests/parity/record.py (the same models the parity cases were recorded with). The
API key is looked up in a dict, as a store lookup would; the validated session is
kept in a dict. No disk, no drafting: the cost of validation alone in the stack
upstream runs on. For the draft scenario it also serves POST
/v1/scenarios/draft-from-session: the upstream ScenarioDraftFromSessionRequest model
validated, the key looked up, and the text of one real draft (BENCH_DRAFT_FILE, which
bench/run.sh saves from `feather serve`) sent for any session id: no store, so it is
the best this stack can do for that route. bench/run.sh installs requirements.txt into a virtual environment
and starts it with one uvicorn worker, uvloop and httptools:

    uvicorn --app-dir bench/reference app:app --loop uvloop --http httptools --workers 1
"""

import os
import pathlib
import sys
import uuid
from typing import Optional

from fastapi import FastAPI, Header, HTTPException, Response

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests" / "parity"))
import record  # noqa: E402  (the upstream models)

SessionAnalysisInput = record.SessionAnalysisInput
# The keys of the benchmark's organization (BENCH_KEYS, comma-separated), as a key
# table would map them; "bench" by default.
KEYS = {
    key: "be9c0000-0000-0000-0000-000000000001"
    for key in os.environ.get("BENCH_KEYS", "bench").split(",")
}
SESSIONS: dict = {}
# The draft every draft request is answered with (a 404 if none was given).
DRAFT = (
    pathlib.Path(os.environ["BENCH_DRAFT_FILE"]).read_bytes()
    if os.environ.get("BENCH_DRAFT_FILE")
    else None
)

app = FastAPI()


@app.put("/v1/sessions/{session_id}/analysis-input")
def put_session(
    session_id: uuid.UUID,
    body: SessionAnalysisInput,
    x_api_key: Optional[str] = Header(default=None),
    agent_name: Optional[str] = None,
    persona_id: Optional[uuid.UUID] = None,
    persona_name: Optional[str] = None,
):
    if KEYS.get(x_api_key or "") is None:
        raise HTTPException(status_code=401, detail="unauthorized")
    created = session_id not in SESSIONS
    SESSIONS[session_id] = (body, agent_name, persona_id, persona_name)
    return {"session_id": str(session_id), "created": created}


@app.post("/v1/scenarios/draft-from-session")
async def draft(body: record.DraftRequest, x_api_key: Optional[str] = Header(default=None)):
    # async: a dict lookup and a constant, so no thread pool hop (its best case).
    if KEYS.get(x_api_key or "") is None:
        raise HTTPException(status_code=401, detail="unauthorized")
    if DRAFT is None:
        raise HTTPException(status_code=404, detail="no draft")
    return Response(content=DRAFT, media_type="application/json")
