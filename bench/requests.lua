-- wrk script: sends the requests listed in REQUESTS_FILE, one "METHOD<TAB>path<TAB>body" a
-- line, each thread taking every Nth line (N = WRK_THREADS) so no request is sent twice
-- until the list runs out; then it starts again, and done() says so.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function read(share, nthreads)
  local found = {}
  local index = 0
  for line in io.lines(os.getenv("REQUESTS_FILE")) do
    if share == nil or index % nthreads == share then
      local method, path, body = line:match("([^\t]+)\t([^\t]+)\t?(.*)")
      table.insert(found, {method, path, body ~= "" and body or nil})
    end
    index = index + 1
  end
  return found
end

function init(args)
  lines = read(id, tonumber(os.getenv("WRK_THREADS")))
  -- A list shorter than the threads (one request sent again and again): every thread
  -- takes all of it.
  if #lines == 0 then
    lines = read(nil, 1)
  end
  position = 0
  wrapped = 0
end

function request()
  position = position + 1
  if position > #lines then
    position = 1
    wrapped = 1
  end
  local item = lines[position]
  return wrk.format(item[1], item[2], nil, item[3])
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    if thread:get("wrapped") == 1 then
      io.write("REQUEST LIST WRAPPED\n")
      return
    end
  end
end
