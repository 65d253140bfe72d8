-- wrk script: PUT one session's analysis input again and again, authenticated, so
-- that every request is a committed write. BODY_FILE names the body, SESSION_ID
-- its session id; API_KEY is the server's key.

local key = os.getenv("API_KEY") or "bench"
local path = "/v1/sessions/" .. os.getenv("SESSION_ID") .. "/analysis-input"
local body

function init(args)
  local file = io.open(os.getenv("BODY_FILE"))
  body = file:read("*a")
  file:close()
end

function request()
  return wrk.format("PUT", path, {
    ["content-type"] = "application/json",
    ["x-api-key"] = key,
  }, body)
end
