-- distinct.lua: a wrk script for the cold section. Every request asks for a
-- slightly different width (W, W-1, ..., W-127, then W again), so that no
-- server can answer two in-flight requests with one resize: imgproxy
-- collapses concurrent requests for the same variant into one transform,
-- which is right in production but would measure sharing instead of
-- resizing here. Thread 1 takes the even offsets and thread 2 the odd
-- ones, so the two threads never ask for the same variant at once.
-- Usage: wrk -t2 ... -s distinct.lua http://HOST:PORT -- W xH/NAME
local threads = 0

function setup(thread)
	thread:set("id", threads)
	threads = threads + 1
end

function init(args)
	width = tonumber(args[1])
	rest = args[2]
	counter = 0
end

function request()
	local offset = (2 * counter + id) % 128
	counter = counter + 1
	return wrk.format(nil, "/image/" .. (width - offset) .. rest)
end
