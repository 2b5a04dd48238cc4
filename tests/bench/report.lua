-- report.lua - shared by the benchmark's wrk scripts (loaded with dofile).
--
-- Numbers every wrk thread, counts the answers of each status code, and at
-- the end prints one machine-readable line that tests/bench/run parses:
--   BENCH requests=N duration_s=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
--         timeouts=N errors=N codes=201:N,409:N
-- Latencies are wrk's, over every answered request.

local threads = {}
local next_id = 1

function setup(thread)
	thread:set("tid", next_id)
	next_id = next_id + 1
	table.insert(threads, thread)
end

codes = {}

function count_status(status)
	codes[status] = (codes[status] or 0) + 1
end

-- 4 random bytes from the kernel: two threads (or two runs) never share a seed.
function urandom_seed(tid)
	local f = io.open("/dev/urandom", "rb")
	local s = f:read(4)
	f:close()
	local n = 0
	for i = 1, 4 do
		n = n * 256 + s:byte(i)
	end
	math.randomseed((n + tid * 1000003) % 2147483647)
end

function done(summary, latency, requests)
	local all = {}
	for _, t in ipairs(threads) do
		local c = t:get("codes")
		if c then
			for k, v in pairs(c) do
				all[k] = (all[k] or 0) + v
			end
		end
	end
	local keys = {}
	for k in pairs(all) do
		table.insert(keys, k)
	end
	table.sort(keys)
	local parts = {}
	for _, k in ipairs(keys) do
		table.insert(parts, k .. ":" .. all[k])
	end
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format(
		"BENCH requests=%d duration_s=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f " ..
		"max_ms=%.2f timeouts=%d errors=%d codes=%s\n",
		summary.requests, secs, summary.requests / secs,
		latency:percentile(50) / 1000, latency:percentile(90) / 1000,
		latency:percentile(99) / 1000, latency.max / 1000,
		e.timeout, e.connect + e.read + e.write,
		#parts > 0 and table.concat(parts, ",") or "none"))
end
