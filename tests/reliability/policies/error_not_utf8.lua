-- An error message with bytes that are not UTF-8 and a line break: the
-- message is cleaned, the deal ends with policy_error.
-- expect: policy_error
return { name = "error_not_utf8", version = 1, score = function()
  error("bad \xff\xfe\nINFO forged", 0)
end }
