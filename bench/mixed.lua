-- wrk script for one stream of the mixed day: every request as a member drawn at random.
--
-- BENCH_STREAM names the stream (home, group, group_impact, my_week, network, leaderboard,
-- action_create); BENCH_MEMBERS is the file `bench/mixed_members.py sign-in` wrote, one
-- member a line: cookie-name session-key token group-id network-slug today.
-- One wrk process runs per stream, all at once, so wrk's own latency histogram is the
-- stream's. Anything but the stream's success status (200 for pages, 201 for a write)
-- counts as an error: a 302 to the sign-in page means the session did not hold.

local stream = os.getenv("BENCH_STREAM")
local members_file = os.getenv("BENCH_MEMBERS")

local paths = {
  home = function(m) return "/" end,
  group = function(m) return "/groups/" .. m.group .. "/" end,
  group_impact = function(m) return "/groups/" .. m.group .. "/impact/" end,
  my_week = function(m) return "/me/week/" end,
  network = function(m) return "/networks/" .. m.network .. "/" end,
  leaderboard = function(m) return "/networks/" .. m.network .. "/leaderboard/" end,
}

local members = {}
local expected = (stream == "action_create") and 201 or 200
-- Globals, not locals: done() runs in wrk's main Lua state and reads them from each thread.
bad = 0
local threads = {}

-- Each thread gets its own seed: with the same one, both threads would walk the same members.
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("seed", #threads)
end

function init(args)
  for line in io.lines(members_file) do
    local cookie_name, session, token, group, network, today =
      line:match("^(%S+) (%S+) (%S+) (%S+) (%S+) (%S+)$")
    if cookie_name then
      members[#members + 1] = {
        cookie = cookie_name .. "=" .. session,
        token = token,
        group = group,
        network = network,
        today = today,
      }
    end
  end
  if #members == 0 then error("no members in " .. tostring(members_file)) end
  if stream ~= "action_create" and not paths[stream] then error("unknown stream " .. tostring(stream)) end
  math.randomseed(os.time() * 100 + (seed or 0))
end

function request()
  local m = members[math.random(#members)]
  if stream == "action_create" then
    local body = string.format(
      '{"group": %s, "description": "Bench action", "happened_on": "%s", "effort_minutes": 30}',
      m.group, m.today)
    return wrk.format("POST", "/api/actions/", {
      ["Authorization"] = "Token " .. m.token,
      ["Content-Type"] = "application/json",
    }, body)
  end
  return wrk.format("GET", paths[stream](m), { ["Cookie"] = m.cookie })
end

function response(status, headers, body)
  if status ~= expected then
    bad = bad + 1
    if bad <= 3 then io.stderr:write(stream .. ": status " .. status .. "\n") end
  end
end

function done(summary, latency, requests)
  local wrong = 0  -- wrong statuses, counted in each thread
  for _, thread in ipairs(threads) do wrong = wrong + (thread:get("bad") or 0) end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {"stream": "%s", "requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d, "wrong_status": %d, "socket_errors": %d}\n',
    stream, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    wrong + socket, wrong, socket))
end
