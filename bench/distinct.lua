-- distinct.lua: a wrk script for the cold section. Every request asks for a
-- slightly smaller box on both sides (WxH, (W-1)x(H-1), ..., (W-127)x(H-127),
-- then WxH again), so that every request plans a different result whichever
-- side binds, and no server can answer two in-flight requests with one
-- resize: imgproxy collapses concurrent requests for the same result into
-- one transform (also for boxes that differ only on the free side, through
-- its canonical keys), which is right in production but would measure
-- sharing instead of resizing here. Thread 1 takes the even offsets and thread 2 the odd
-- ones, so the two threads never ask for the same variant at once.
-- Usage: wrk -t2 ... -s distinct.lua http://HOST:PORT -- W H /NAME
local threads = 0

function setup(thread)
	thread:set("id", threads)
	threads = threads + 1
end

function init(args)
	width = tonumber(args[1])
	height = tonumber(args[2])
	rest = args[3]
	counter = 0
end

function request()
	local offset = (2 * counter + id) % 128
	counter = counter + 1
	return wrk.format(nil, "/image/" .. (width - offset) .. "x" .. (height - offset) .. rest)
end
