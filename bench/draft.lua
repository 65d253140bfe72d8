-- wrk script: POST a draft request for a random stored session id, authenticated.
-- IDS_FILE names a file of session ids (one a line); API_KEY is the server's key.

local ids = {}
local key = os.getenv("API_KEY") or "bench"

function init(args)
  for line in io.lines(os.getenv("IDS_FILE")) do
    ids[#ids + 1] = line
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

function request()
  local id = ids[math.random(#ids)]
  return wrk.format("POST", "/v1/scenarios/draft-from-session", {
    ["content-type"] = "application/json",
    ["x-api-key"] = key,
  }, '{"session_id":"' .. id .. '"}')
end

-- No response() callback: it would make wrk copy every body into Lua, which
-- costs the draft run (4 KB bodies) far more than the baseline's. wrk counts
-- non-2xx answers and socket errors by itself, and run.sh reports them.
