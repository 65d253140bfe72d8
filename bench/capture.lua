-- wrk script: PUT a captured session, authenticated. SESSION_FILE holds one
-- SessionAnalysisInput body whose session id is 00000000-0000-0000-0000-00000000beef;
-- each request sends it under another id, in the path and the body alike.
-- IDS=distinct: a new id every request (every capture creates a session);
-- IDS=repeated: one of 64 ids (captures replace stored sessions and their drafts).

local key = os.getenv("API_KEY") or "bench"
local mode = os.getenv("IDS") or "distinct"
local before, after
local counter = 0
local thread_tag

local function read_session()
  local file = assert(io.open(os.getenv("SESSION_FILE"), "rb"))
  local body = file:read("*a")
  file:close()
  local s, e = body:find("00000000-0000-0000-0000-00000000beef", 1, true)
  assert(s, "the session file has the placeholder id")
  return body:sub(1, s - 1), body:sub(e + 1)
end

function init(args)
  before, after = read_session()
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
  thread_tag = math.random(0, 0xffffff)
end

function request()
  local id
  if mode == "repeated" then
    id = string.format("00000000-0000-4000-8000-%012x", math.random(0, 63))
  else
    counter = counter + 1
    id = string.format("%08x-0000-4000-8000-%012x", thread_tag, counter)
  end
  return wrk.format("PUT", "/v1/sessions/" .. id .. "/analysis-input", {
    ["content-type"] = "application/json",
    ["x-api-key"] = key,
  }, before .. id .. after)
end
