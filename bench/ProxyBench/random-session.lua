-- wrk script: every request carries the cookie of one of many seeded sessions, chosen uniformly at random,
-- and X-CSRF: 1. Its argument (after --) is a file with one cookie value per line.
local cookies = {}

function init(args)
  for line in io.lines(args[1]) do
    cookies[#cookies + 1] = line
  end
  -- Each wrk thread has its own Lua state: seed each differently.
  math.randomseed(os.time() + #tostring({}) + math.floor(os.clock() * 1000000))
end

function request()
  return wrk.format("GET", nil, { ["Cookie"] = "__Host-bff=" .. cookies[math.random(#cookies)], ["X-CSRF"] = "1" })
end
