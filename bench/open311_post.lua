-- wrk script for bench/bench_open311.py: POST /open311/v2/requests.json with distinct bodies.
--
-- Usage: wrk -t T -c C -d S -s bench/open311_post.lua URL -- BODIES_FILE RUN_TAG
--
-- BODIES_FILE holds one form-encoded body per line (api_key, service_code, description,
-- address_id, phone …, already URL-encoded). Each request takes the next line of its thread
-- (threads start at different offsets) and appends a device_id unique to the request:
-- RUN_TAG-<thread>-<counter>, so every body is distinct and every created ticket can be traced
-- back to exactly one request. At the end one JSON line (prefixed "WRK_RESULT ") carries the
-- latency percentiles and, per thread, requests sent and responses by status class: a request
-- sent but not answered when the run stopped is "in flight" (it may or may not have made a
-- ticket).

-- Globals, not locals: wrk's thread:set/thread:get read and write a thread's globals.
bodies = {}
tag = "run"
thread_id = 0
sent = 0
s201, s4xx, s429, s5xx, sother = 0, 0, 0, 0, 0
threads = {}
counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  tag = args[2] or tag
  for line in io.lines(path) do
    if #line > 0 then
      bodies[#bodies + 1] = line
    end
  end
  if #bodies == 0 then
    error("no bodies in " .. path)
  end
end

function request()
  sent = sent + 1
  local index = ((thread_id * 7919 + sent) % #bodies) + 1
  local body = bodies[index] .. "&device_id=" .. tag .. "-" .. thread_id .. "-" .. sent
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

function response(status, headers, body)
  if status == 201 or status == 200 then
    s201 = s201 + 1
  elseif status == 429 then
    s429 = s429 + 1
  elseif status >= 400 and status < 500 then
    s4xx = s4xx + 1
  elseif status >= 500 then
    s5xx = s5xx + 1
  else
    sother = sother + 1
  end
end

function done(summary, latency, requests)
  local parts = {}
  local t_sent, t201, t4xx, t429, t5xx, tother = 0, 0, 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    t_sent = t_sent + thread:get("sent")
    t201 = t201 + thread:get("s201")
    t4xx = t4xx + thread:get("s4xx")
    t429 = t429 + thread:get("s429")
    t5xx = t5xx + thread:get("s5xx")
    tother = tother + thread:get("sother")
  end
  local function field(name, value)
    parts[#parts + 1] = string.format('"%s": %s', name, value)
  end
  field("duration_us", summary.duration)
  field("requests", summary.requests)
  field("errors_connect", summary.errors.connect)
  field("errors_read", summary.errors.read)
  field("errors_write", summary.errors.write)
  field("errors_status", summary.errors.status)
  field("errors_timeout", summary.errors.timeout)
  field("sent", t_sent)
  field("created", t201)
  field("client_errors", t4xx)
  field("rate_limited", t429)
  field("server_errors", t5xx)
  field("other", tother)
  field("mean_us", latency.mean)
  field("max_us", latency.max)
  for _, p in ipairs({50, 90, 95, 99, 99.9}) do
    field(string.format("p%s_us", tostring(p)), latency:percentile(p))
  end
  io.write("WRK_RESULT {" .. table.concat(parts, ", ") .. "}\n")
end
