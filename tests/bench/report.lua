-- report.lua - shared by the benchmark's wrk scripts (loaded with dofile).
--
-- Numbers every wrk thread, counts the answers of each status code, and at
-- the end prints one machine-readable line that tests/bench/run parses:
--   BENCH requests=N duration_s=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
--         timeouts=N errors=N codes=201:N,409:N [soldout_ms=T]
-- Latencies are wrk's, over every answered request.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *ts);
int getpid(void);
int tgkill(int tgid, int tid, int sig);
]]
local ts = ffi.new("bench_timespec")

-- Milliseconds on CLOCK_MONOTONIC, the same clock in every thread.
function now_ms()
	ffi.C.clock_gettime(1, ts)
	return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- Ends the run early: wrk's main thread sleeps for the whole -d unless SIGINT wakes it (its
-- pid is its thread id), then stops every thread as on ^C and reports the time actually run.
function stop_wrk()
	ffi.C.tgkill(ffi.C.getpid(), ffi.C.getpid(), 2)
end

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
	-- Time to sell out: the earliest "sold out" answer any thread saw, from the earliest start.
	local t0, t1
	for _, t in ipairs(threads) do
		local a, b = t:get("t_start"), t:get("t_soldout")
		if a and (not t0 or a < t0) then t0 = a end
		if b and (not t1 or b < t1) then t1 = b end
	end
	local extra = ""
	if t0 and t1 then
		extra = string.format(" soldout_ms=%.0f", t1 - t0)
	end
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format(
		"BENCH requests=%d duration_s=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f " ..
		"max_ms=%.2f timeouts=%d errors=%d codes=%s%s\n",
		summary.requests, secs, summary.requests / secs,
		latency:percentile(50) / 1000, latency:percentile(90) / 1000,
		latency:percentile(99) / 1000, latency.max / 1000,
		e.timeout, e.connect + e.read + e.write,
		#parts > 0 and table.concat(parts, ",") or "none", extra))
end
