-- Vote POSTs as many signed-in members: each request takes the next member (their cookie and CSRF token),
-- one of the ideas in BENCH_IDEAS and a value of up (half), down or withdraw, and asks for JSON.
-- BENCH_MEMBERS: one "cookie<TAB>csrf token" line per member; BENCH_IDEAS: comma-separated idea ids.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local members, ideas = {}, {}
for line in string.gmatch(os.getenv("BENCH_MEMBERS") or "", "[^\n]+") do
  local cookie, token = string.match(line, "^(.-)\t(.+)$")
  members[#members + 1] = {cookie = cookie, token = token}
end
for id in string.gmatch(os.getenv("BENCH_IDEAS") or "", "%d+") do
  ideas[#ideas + 1] = id
end
local values = {"1", "1", "-1", "0"}
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("offset", thread_id * 7919)
end

function init(args)
  counter = offset or 0
  math.randomseed(counter)
end

function request()
  counter = counter + 1
  local member = members[(counter % #members) + 1]
  local idea = ideas[math.random(#ideas)]
  local body = "csrf_token=" .. member.token .. "&value=" .. values[math.random(#values)]
  return wrk.format("POST", "/ideas/" .. idea .. "/vote", {
    ["Cookie"] = member.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, body)
end
