-- Errors raised inside the message handler of xpcall, then raised again.
-- expect: policy_error
return { name = "error_in_handler", version = 1, score = function()
  local _, msg = xpcall(error, function(e) error({ e }) end)
  error(msg)
end }
