-- wrk script: send the session cookie on every request.
-- BENCH_COOKIE holds either "ck_session=VALUE" or just VALUE.
-- Usage: BENCH_COOKIE=ck_session=... wrk -s bench/cookie.lua URL
local cookie = os.getenv("BENCH_COOKIE")
if cookie == nil or cookie == "" then
  io.stderr:write("cookie.lua: BENCH_COOKIE is not set\n")
  os.exit(2)
end
if not cookie:find("=", 1, true) then
  cookie = "ck_session=" .. cookie
end
wrk.headers["Cookie"] = cookie
