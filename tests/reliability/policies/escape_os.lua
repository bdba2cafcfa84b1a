-- Running a command through os.execute (os keeps only time, clock and date).
-- expect: policy_error
return { name = "escape_os", version = 1, score = function()
  os.execute("touch /tmp/dealscore-owned")
  return { viability = 1, verdict = "shape" }
end }
