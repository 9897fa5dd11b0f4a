-- wrk script: every request carries the cookie of one of many seeded sessions, chosen uniformly at random,
-- and X-CSRF: 1. Its argument (after --) is a file with one cookie value per line. The requests are formatted
-- once, in init: formatting one per request cost wrk, which shares the cores with what it measures, about a
-- tenth of bare YARP's rate.
local requests = {}

function init(args)
  for line in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("GET", nil, { ["Cookie"] = "__Host-bff=" .. line, ["X-CSRF"] = "1" })
  end
  -- Each wrk thread has its own Lua state: seed each differently.
  math.randomseed(os.time() + #tostring({}) + math.floor(os.clock() * 1000000))
end

function request()
  return requests[math.random(#requests)]
end
