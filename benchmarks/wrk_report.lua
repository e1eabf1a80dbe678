-- One request shape per run, read from the environment; counts non-2xx answers
-- per thread and prints one JSON line with the totals when wrk is done.
--   BENCH_METHOD     GET or POST
--   BENCH_TOKEN      the API key sent as a bearer token
--   BENCH_BODY_FILE  a file holding the JSON body (POST only)
--   BENCH_VARY       "1": each request replaces __N__ in the body by a number of
--                    its own, so no two requests are the same (no reused answer)

wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
wrk.headers["Accept"] = "application/json"

local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
end

local threads = {}
local vary = os.getenv("BENCH_VARY") == "1"

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  non_2xx = 0
  sent = 0
end

function request()
  if not vary then
    return wrk.request()
  end
  sent = sent + 1
  local n = string.format("%d", 2000000000000 + thread_number * 1000000000 + sent)
  return wrk.format(nil, nil, nil, (string.gsub(wrk.body, "__N__", n)))
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local non_2xx_total = 0
  for _, thread in ipairs(threads) do
    non_2xx_total = non_2xx_total + thread:get("non_2xx")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, non_2xx_total,
    errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max
  ))
end
