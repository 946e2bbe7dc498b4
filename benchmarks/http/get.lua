-- GET the URL given to wrk, as a visitor or, with BENCH_COOKIE set, as the member that cookie signs in.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
