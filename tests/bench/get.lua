-- get.lua - GET of the URL given to wrk, counting answers by status.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

function response(status, headers, body)
	count_status(status)
end
