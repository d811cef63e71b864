-- wrk script for the search scenario: each request is a member drawn at random searching a
-- word drawn at random (BENCH_SEARCH_PATH: "page" for /search/, "api" for /api/search/).
--
-- BENCH_MEMBERS is the file `bench/mixed_members.py sign-in` wrote (one member a line:
-- cookie-name session-key token group-id network-slug today). The words are those the large
-- data holds (every action says one of five things, so a word can match a tenth of a
-- member's group's actions and thousands of an organizer's), a group's name, phrases, and
-- words nothing holds. Anything but 200 counts as an error.

local members_file = os.getenv("BENCH_MEMBERS")
local kind = os.getenv("BENCH_SEARCH_PATH") or "page"
local words = {
  "workshop", "council", "litter", "saplings", "planted", "street meeting", "wrote",
  "\"litter pick\"", "group", "network", "learned", "people reached", "trees", "river",
  "bench", "meeting -street", "zephyr", "kingfisher", "opportunity", "help",
}
local members = {}
bad = 0
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("seed", #threads)
end

function init(args)
  for line in io.lines(members_file) do
    local cookie_name, session, token = line:match("^(%S+) (%S+) (%S+) ")
    if cookie_name then
      members[#members + 1] = { cookie = cookie_name .. "=" .. session, token = token }
    end
  end
  if #members == 0 then error("no members in " .. tostring(members_file)) end
  math.randomseed(os.time() * 100 + (seed or 0))
end

local function escape(text)
  return (text:gsub("[^%w%-_.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  local m = members[math.random(#members)]
  local q = escape(words[math.random(#words)])
  if kind == "api" then
    return wrk.format("GET", "/api/search/?q=" .. q, { ["Authorization"] = "Token " .. m.token })
  end
  return wrk.format("GET", "/search/?q=" .. q, { ["Cookie"] = m.cookie })
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("search: status " .. status .. "\n") end
  end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + (thread:get("bad") or 0) end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {"stream": "search_%s", "requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d, "wrong_status": %d, "socket_errors": %d}\n',
    kind, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    wrong + socket, wrong, socket))
end
