-- wrk script for the ClosetAds benchmarks (dev/bench/auction.py).
--   wrk ... -s dev/bench/wrk/closetads.lua <url> -- healthz
--   wrk ... -s dev/bench/wrk/closetads.lua <url> -- auctions KEY LISTINGS CANDIDATES SLOTS PREFIX
-- Auction bodies (random distinct ids in a random organic order, falling quality scores)
-- are built once per thread in init(), so the load generator spends its time sending.
-- done() prints one line "WRK_JSON {...}" that the harness parses.

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "healthz"
  responses, failed_open, winners, bad_status = 0, 0, 0, 0
  requests = {}
  cursor = 0
  if mode == "healthz" then
    requests[1] = wrk.format("GET", "/healthz")
    return
  end
  local key, listings, candidates, slots, prefix = args[2], tonumber(args[3]), tonumber(args[4]), args[5], args[6]
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
  math.randomseed(7919 * thread_id)
  for r = 1, 400 do
    local taken, ids, scores = {}, {}, {}
    while #ids < candidates do
      local n = math.random(0, listings - 1)
      if not taken[n] then
        taken[n] = true
        ids[#ids + 1] = '"' .. prefix .. n .. '"'
        scores[#scores + 1] = string.format("%.3f", 1.0 - 0.75 * (#ids - 1) / candidates)
      end
    end
    local body = '{"auctions":[{"type":"listings","slots":' .. slots .. ',"placementId":"search",'
      .. '"opaqueUserId":"u-' .. thread_id .. '-' .. r .. '","products":{"ids":[' .. table.concat(ids, ",")
      .. '],"qualityScores":[' .. table.concat(scores, ",") .. ']}}]}'
    requests[r] = wrk.format("POST", "/api/v1/auctions", headers, body)
  end
end

function request()
  cursor = cursor % #requests + 1
  return requests[cursor]
end

function response(status, headers, body)
  responses = responses + 1
  if mode == "healthz" then
    if status ~= 200 then bad_status = bad_status + 1 end
    return
  end
  if status ~= 201 then
    bad_status = bad_status + 1
    return
  end
  if string.find(body, '"error":true', 1, true) then failed_open = failed_open + 1 end
  local _, found = string.gsub(body, '"rank":', '')
  winners = winners + found
end

function done(summary, latency, requests)
  local totals = {responses = 0, failed_open = 0, winners = 0, bad_status = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + (thread:get(name) or 0) end
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,'
    .. '"errors_status":%d,"errors_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,'
    .. '"responses":%d,"failed_open":%d,"winners":%d,"bad_status":%d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    totals.responses, totals.failed_open, totals.winners, totals.bad_status))
end
