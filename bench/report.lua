-- wrk prints p50/p75/p90/p99 only; this adds one machine-readable line with p95 too.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  io.write(string.format(
    "BENCH requests=%d rps=%.1f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
