-- wrk script: sends the requests listed in REQUESTS_FILE, one "METHOD<TAB>path<TAB>body" a
-- line, each thread taking every Nth line (N = WRK_THREADS) so no request is sent twice
-- until the list runs out; then it starts again, and done() says so. REQUESTS_SKIP lines
-- are left out at the start: those an earlier run sent (done() prints how far it got).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function read(share, nthreads)
  local found = {}
  local skip = skip_none and 0 or tonumber(os.getenv("REQUESTS_SKIP") or "0")
  local index = 0
  for line in io.lines(os.getenv("REQUESTS_FILE")) do
    if index >= skip and (share == nil or (index - skip) % nthreads == share) then
      local method, path, body = line:match("([^\t]+)\t([^\t]+)\t?(.*)")
      table.insert(found, {method, path, body ~= "" and body or nil})
    end
    index = index + 1
  end
  return found
end

function init(args)
  local nthreads = tonumber(os.getenv("WRK_THREADS"))
  position = 0
  wrapped = 0
  lines = read(id, nthreads)
  -- A list shorter than the threads (one request sent again and again): every thread
  -- takes all of it.
  if #lines == 0 then
    lines = read(nil, 1)
  end
  -- Earlier runs sent them all: from the start again.
  if #lines == 0 then
    skip_none = true
    lines = read(id, nthreads)
    if #lines == 0 then
      lines = read(nil, 1)
    end
    wrapped = 1
  end
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
  -- The lines sent: each thread's share up to the furthest any thread got.
  local furthest = 0
  for _, thread in ipairs(threads) do
    if thread:get("wrapped") == 1 then
      io.write("REQUEST LIST WRAPPED\n")
    end
    furthest = math.max(furthest, thread:get("position"))
  end
  io.write(string.format("REQUEST LINES SENT %d\n", furthest * #threads))
end
