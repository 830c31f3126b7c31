-- wrk script: POST per request, each with the next token of $TOKENS (one a line), so every
-- request is a different user (a file of one token: the same user every time). The target is
-- the purchase of voucher $VOUCHER, or with $TICKET set, a reminder on that ticket.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local path
if os.getenv("TICKET") then
  path = "/api/v1/tickets/" .. os.getenv("TICKET") .. "/reminders"
else
  path = "/api/v1/vouchers/" .. os.getenv("VOUCHER") .. "/orders"
end
local next_token = 0

request = function()
  next_token = next_token + 1
  local t = tokens[(next_token - 1) % #tokens + 1]
  return wrk.format("POST", path, { ["Authorization"] = "Bearer " .. t }, "")
end
