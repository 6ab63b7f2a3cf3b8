-- billing.lua - wrk script of tests/bench/billing.sh, "page-cold": the
-- Billing page's companies table walked page by page (BENCH_PAGES pages,
-- each thread from its own start), more pages than the workers' caches
-- hold, so every request reads the database.
local pages = tonumber(os.getenv("BENCH_PAGES") or "800")
local base = os.getenv("BENCH_PATH")
local cookie = os.getenv("BENCH_COOKIE")
local n = 0

function setup(thread)
  thread:set("start", math.random(pages))
end

function request()
  n = n + 1
  local p = (start + n) % pages + 1
  return wrk.format("GET", base .. "?sort=name&dir=asc&page=" .. p, {["Cookie"] = cookie})
end
