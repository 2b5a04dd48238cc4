-- book.lua - the on-sale rush: every request books 1-4 tickets of one tier
-- with a fresh idempotency key and the matching totalAmount.
--
-- Each booking is sent as the next signed-in fan of BENCH_FANS_FILE (one
-- session token a line, made by tests/bench/run), each thread from its own
-- random place in the list: a rush is many fans, each booking a few times.
--
-- Environment: BENCH_CONCERT, BENCH_TIER, BENCH_PRICE_CENTS, BENCH_LUA_DIR,
-- BENCH_FANS_FILE;
-- BENCH_STOP_SOLD_OUT=1: the first 409 that reports the tier empty
-- ("available":0) marks the time to sell out, and the run stops one second
-- later (the answers of that second count: fans told "sold out").
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local concert, tier, price, stop_sold_out
local fans = {}
local fan_next = 1
local seq = 0
local GRACE_MS = 1000
t_start = nil
t_soldout = nil

function init(args)
	concert = os.getenv("BENCH_CONCERT")
	tier = os.getenv("BENCH_TIER")
	price = tonumber(os.getenv("BENCH_PRICE_CENTS") or "1000")
	stop_sold_out = os.getenv("BENCH_STOP_SOLD_OUT") == "1"
	urandom_seed(tid)
	local file = os.getenv("BENCH_FANS_FILE")
	local f = file and io.open(file, "r")
	if not f then
		error("book.lua: BENCH_FANS_FILE is not a readable file: " .. tostring(file))
	end
	for line in f:lines() do
		fans[#fans + 1] = "ticketd_session=" .. line
	end
	f:close()
	if #fans == 0 then
		error("book.lua: no fans in " .. file)
	end
	fan_next = math.random(1, #fans)
	t_start = now_ms()
end

local headers = {["Content-Type"] = "application/json"}
local R = math.random

function request()
	seq = seq + 1
	-- A version-4-shaped UUID; thread id and sequence make it unique in a run,
	-- the random part across runs.
	local key = string.format("%08x-%04x-4%03x-%04x-%04x%08x",
		R(0, 0x7fffffff), R(0, 0xffff), R(0, 0xfff), 0x8000 + R(0, 0x3fff),
		tid % 0x10000, seq)
	local q = R(1, 4)
	local cents = q * price
	local body = string.format(
		'{"concertId":"%s","tickets":[{"tierId":"%s","quantity":%d}],' ..
		'"idempotencyKey":"%s","totalAmount":%d.%02d}',
		concert, tier, q, key, math.floor(cents / 100), cents % 100)
	headers["Cookie"] = fans[fan_next]
	fan_next = fan_next % #fans + 1
	return wrk.format("POST", "/api/bookings", headers, body)
end

function response(status, headers, body)
	count_status(status)
	if stop_sold_out then
		if not t_soldout and status == 409 and body:find('"available":0', 1, true) then
			t_soldout = now_ms()
		end
		if t_soldout and now_ms() - t_soldout > GRACE_MS then
			stop_wrk()
			stop_sold_out = false
		end
	end
end
