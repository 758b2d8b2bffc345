-- wrk script for bench/write_path.py: one request after another on each connection, cycling
-- through request bodies (one JSON template a line, "%s" standing for a unique reference),
-- counting answers by status and problem type, keeping the ids of 201 answers.
--
-- wrk -s bench/write_path.lua URL -- METHOD PATH TOKEN BODIES_FILE|- OUT_FILE TAG THREADS
-- Everything is written to OUT_FILE by done(), one "key value" a line.

local threads = {}

function setup(thread)
   thread:set("index", #threads)
   table.insert(threads, thread)
end

function init(args)
   method, path, token, bodies_file, out_file, tag = args[1], args[2], args[3], args[4], args[5],
      args[6]
   local nthreads = tonumber(args[7]) or 1
   templates = {}
   if bodies_file ~= "-" then
      for line in io.lines(bodies_file) do
         if #line > 0 then
            templates[#templates + 1] = line
         end
      end
   end
   headers = { ["Authorization"] = "Bearer " .. token }
   if #templates > 0 then
      headers["Content-Type"] = "application/json"
      -- threads start at different bodies, so that concurrent requests name different cases
      offset = math.floor(index * #templates / nthreads)
   end
   sent, answered = 0, 0
   statuses, problems, ids = {}, {}, {}
end

function request()
   sent = sent + 1
   if #templates == 0 then
      return wrk.format(method, path, headers)
   end
   local template = templates[(offset + sent - 1) % #templates + 1]
   local body = string.format(template, tag .. "-" .. index .. "-" .. sent)
   return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
   answered = answered + 1
   local s = tostring(status)
   statuses[s] = (statuses[s] or 0) + 1
   if status == 201 then
      ids[#ids + 1] = string.match(body, '"id"%s*:%s*"([%x%-]+)"') or "?"
   elseif status >= 400 then
      local kind = string.match(body, '"type"%s*:%s*"([^"]*)"') or "-"
      local key = s .. " " .. kind
      problems[key] = (problems[key] or 0) + 1
   end
end

function done(summary, latency, requests)
   local out = io.open(threads[1]:get("out_file"), "w")
   out:write(string.format("duration_us %d\n", summary.duration))
   out:write(string.format("requests %d\n", summary.requests))
   for name, count in pairs(summary.errors) do
      out:write(string.format("socket_error %s %d\n", name, count))
   end
   for _, p in ipairs({ 50, 95, 99 }) do
      out:write(string.format("latency_us p%d %d\n", p, latency:percentile(p)))
   end
   out:write(string.format("latency_us max %d\n", latency.max))
   out:write(string.format("latency_us mean %d\n", latency.mean))
   for _, thread in ipairs(threads) do
      out:write(string.format("sent %d\n", thread:get("sent")))
      out:write(string.format("answered %d\n", thread:get("answered")))
      for status, count in pairs(thread:get("statuses")) do
         out:write(string.format("status %s %d\n", status, count))
      end
      for key, count in pairs(thread:get("problems")) do
         out:write(string.format("problem %d %s\n", count, key))
      end
      for _, id in ipairs(thread:get("ids")) do
         out:write("id " .. id .. "\n")
      end
   end
   out:close()
end
