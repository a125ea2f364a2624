-- wrk script: each request carries a bearer token taken round-robin from the file named by $TOKENS (one per line).
local tokens = {}
local next_token = 1

function init(args)
  for line in io.lines(os.getenv("TOKENS")) do
    tokens[#tokens + 1] = line
  end
  -- Each run starts at a random offset (seeded from the clock: unseeded, every run would walk the same users first).
  local clock = tostring({}):match("0x(%x+)") or "0"
  math.randomseed(os.time() + tonumber(clock, 16) % 1000003)
  next_token = math.random(#tokens)
end

function request()
  local token = tokens[next_token]
  next_token = next_token % #tokens + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. token })
end
