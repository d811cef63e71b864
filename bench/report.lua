-- wrk script: optional POST body/headers from the environment, and a JSON summary at the end.
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local content_type = os.getenv("BENCH_CONTENT_TYPE")

wrk.method = method
if body then wrk.body = body end
if content_type then wrk.headers["Content-Type"] = content_type end

-- A global, not a local: response() runs in each thread's Lua state and done() in the main
-- one, which reads it from every thread. A redirect counts too: a page that sends a signed-in
-- member to the sign-in page has failed.
not_ok = 0
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

response = function(status, headers, body)
  if status < 200 or status >= 300 then not_ok = not_ok + 1 end
end

done = function(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + (thread:get("not_ok") or 0) end
  -- summary.errors.status (4xx and 5xx) is left out: `wrong` already counts those.
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + wrong
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors))
end
