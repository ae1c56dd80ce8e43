-- wrk script of `make bench` (bench/run): each request is a GET of a random
-- path from PATHS_FILE with the Basic login of a random user from USERS_FILE.
--
--   wrk ... -s bench/auth.lua URL -- USERS_FILE PATHS_FILE
--
-- USERS_FILE holds "login:password" lines ("-": no login at all); PATHS_FILE
-- one path a line. The Authorization headers are encoded once, in init, so
-- that a request costs wrk two table look-ups.

local headers, paths = {}, {}

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

-- Base64 with arithmetic only (no bit library needed).
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local q = {
      math.floor(n / 262144) % 64, math.floor(n / 4096) % 64,
      math.floor(n / 64) % 64, n % 64,
    }
    for k = 1, 4 do
      if (k == 3 and not b) or (k == 4 and not c) then
        out[#out + 1] = "="
      else
        out[#out + 1] = B64:sub(q[k] + 1, q[k] + 1)
      end
    end
  end
  return table.concat(out)
end

function init(args)
  if #args ~= 2 then
    error("usage: wrk ... -s auth.lua URL -- USERS_FILE|- PATHS_FILE")
  end
  if args[1] ~= "-" then
    for line in io.lines(args[1]) do
      headers[#headers + 1] = "Basic " .. base64(line)
    end
  end
  for line in io.lines(args[2]) do
    paths[#paths + 1] = line
  end
  if #paths == 0 then
    error("auth.lua: no paths in " .. args[2])
  end
  math.randomseed(os.time())
end

function request()
  local path = paths[math.random(#paths)]
  if #headers == 0 then
    return wrk.format("GET", path)
  end
  return wrk.format("GET", path, { Authorization = headers[math.random(#headers)] })
end
