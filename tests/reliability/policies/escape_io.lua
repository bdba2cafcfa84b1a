-- Reading a file through io (not in the sandbox).
-- expect: policy_error
return { name = "escape_io", version = 1, score = function()
  local f = io.open("/etc/passwd")
  return { viability = 1, verdict = "shape", reasons = { f:read("a") } }
end }
