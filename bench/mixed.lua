-- Mixed traffic for wrk: requests the addresses of a file written by bench/mixed.py, one a line, in order.
--
--   wrk -t2 -c8 -d20s -s bench/mixed.lua http://127.0.0.1:8000 -- .var/bench-mixed-search.txt 2
--
-- The file is already a shuffled, Zipf-weighted request sequence; thread k of n starts k/n of the way in (its
-- own deterministic sequence) and starts over at the end. Each thread counts the X-Page-Cache answers
-- ("hit"/"miss"; no header: not cacheable or the cache is off); done() sums them over the threads and prints
-- one machine-readable line (bench/mixed.py parses it).

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  file:close()
  assert(#paths > 0, "no addresses in " .. args[1])
  local count = tonumber(args[2]) or 1
  position = math.floor(id * #paths / count) % #paths + 1
  hits, misses, uncached = 0, 0, 0
end

function request()
  local path = paths[position]
  position = position % #paths + 1
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local value = headers["X-Page-Cache"] or headers["x-page-cache"]
  if value == "hit" then
    hits = hits + 1
  elseif value == "miss" then
    misses = misses + 1
  else
    uncached = uncached + 1
  end
end

function done(summary, latency, requests)
  local hit_total, miss_total, uncached_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    hit_total = hit_total + (thread:get("hits") or 0)
    miss_total = miss_total + (thread:get("misses") or 0)
    uncached_total = uncached_total + (thread:get("uncached") or 0)
  end
  local seconds = summary.duration / 1000000
  io.write(string.format(
    "MIXED requests=%d rps=%.1f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d hits=%d misses=%d uncached=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, hit_total, miss_total, uncached_total))
end
