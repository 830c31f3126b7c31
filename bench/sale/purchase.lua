-- wrk script: POST a purchase per request, each with the next token of $TOKENS (one a line),
-- so every request is a different user. $VOUCHER is the voucher id.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local path = "/api/v1/vouchers/" .. os.getenv("VOUCHER") .. "/orders"
local next_token = 0

request = function()
  next_token = next_token + 1
  local t = tokens[(next_token - 1) % #tokens + 1]
  return wrk.format("POST", path, { ["Authorization"] = "Bearer " .. t }, "")
end
