-- config.lua - wrk script of tests/bench/config.sh: devices polling their
-- configuration. Reads BENCH_URLS (lines "path etag"), and each wrk thread
-- walks the list round-robin from its own offset (thread i of n starts at
-- i/n of the list), so consecutive requests poll different devices.
-- BENCH_AUTH: the Authorization header. BENCH_INM=1: send each device's
-- ETag as If-None-Match (the 304 path). At the end it prints the status
-- counts ("status 200=N 304=N other=N"): wrk counts a 304 as non-2xx.
local threads = {}
local counter = 1

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	local n = 0
	paths, etags = {}, {}
	for line in io.lines(os.getenv("BENCH_URLS")) do
		local p, e = line:match("^(%S+)%s*(%S*)$")
		if p then
			n = n + 1
			paths[n], etags[n] = p, e
		end
	end
	count = n
	inm = os.getenv("BENCH_INM") == "1"
	auth = os.getenv("BENCH_AUTH")
	local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
	idx = math.floor((id - 1) * n / nthreads)
	ok, nm, other = 0, 0, 0
end

function request()
	idx = idx % count + 1
	local h = {}
	for k, v in pairs(wrk.headers) do h[k] = v end
	h["Authorization"] = auth
	if inm and etags[idx] ~= "" then
		h["If-None-Match"] = etags[idx]
	end
	return wrk.format("GET", paths[idx], h)
end

function response(status, headers, body)
	if status == 200 then
		ok = ok + 1
	elseif status == 304 then
		nm = nm + 1
	else
		other = other + 1
	end
end

function done(summary, latency, requests)
	local a, b, c = 0, 0, 0
	for _, t in ipairs(threads) do
		a = a + t:get("ok")
		b = b + t:get("nm")
		c = c + t:get("other")
	end
	io.write(string.format("status 200=%d 304=%d other=%d\n", a, b, c))
end
