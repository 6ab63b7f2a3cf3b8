-- wrk -s status.lua: count every answer that is not 200 (wrk itself counts
-- only 4xx and 5xx: a 303 to the sign-in page would pass unseen).
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("bad") end
  io.write(string.format("answers other than 200: %d of %d\n", n, summary.requests))
end
