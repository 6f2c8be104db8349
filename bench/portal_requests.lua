-- wrk script for bench/bench_portal.py: GETs or POSTs read from a file, one request per line.
--
-- Usage: wrk -t T -c C -d S -s bench/portal_requests.lua URL -- REQUESTS_FILE [RUN_TAG]
--
-- Each line is "METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY" (BODY already URL-encoded, may be empty).
-- Each request takes the next line of its thread (threads start at different offsets). In a
-- POST body, the text "@KEY@" is replaced by RUN_TAG-<thread>-<counter>: every report carries
-- a submission key of its own, so every created ticket traces back to one request. At the end
-- one JSON line (prefixed "WRK_RESULT ") carries the latency percentiles and, per thread,
-- requests sent and answers by status class.

lines = {}
tag = "run"
thread_id = 0
sent = 0
s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0
threads = {}
counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
  table.insert(threads, thread)
end

function init(args)
  tag = args[2] or tag
  for line in io.lines(args[1]) do
    if #line > 0 then
      local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
      lines[#lines + 1] = {method = method, path = path, cookie = cookie, body = body}
    end
  end
  if #lines == 0 then
    error("no requests in " .. args[1])
  end
end

function request()
  sent = sent + 1
  local item = lines[((thread_id * 7919 + sent) % #lines) + 1]
  local headers = {["Cookie"] = item.cookie}
  local body = nil
  if item.method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Referer"] = "http://127.0.0.1/"
    body = item.body:gsub("@KEY@", tag .. "x" .. thread_id .. "x" .. sent)
  end
  return wrk.format(item.method, item.path, headers, body)
end

function response(status, headers, body)
  if status >= 500 then
    s5xx = s5xx + 1
  elseif status >= 400 then
    s4xx = s4xx + 1
  elseif status >= 300 then
    s3xx = s3xx + 1
  else
    s2xx = s2xx + 1
  end
end

function done(summary, latency, requests)
  local parts = {}
  local t_sent, t2, t3, t4, t5 = 0, 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    t_sent = t_sent + thread:get("sent")
    t2 = t2 + thread:get("s2xx")
    t3 = t3 + thread:get("s3xx")
    t4 = t4 + thread:get("s4xx")
    t5 = t5 + thread:get("s5xx")
  end
  local function field(name, value)
    parts[#parts + 1] = string.format('"%s": %s', name, value)
  end
  field("duration_us", summary.duration)
  field("requests", summary.requests)
  field("errors_connect", summary.errors.connect)
  field("errors_read", summary.errors.read)
  field("errors_timeout", summary.errors.timeout)
  field("sent", t_sent)
  field("s2xx", t2)
  field("s3xx", t3)
  field("s4xx", t4)
  field("s5xx", t5)
  field("mean_us", latency.mean)
  for _, p in ipairs({50, 90, 95, 99}) do
    field(string.format("p%s_us", tostring(p)), latency:percentile(p))
  end
  io.write("WRK_RESULT {" .. table.concat(parts, ", ") .. "}\n")
end
