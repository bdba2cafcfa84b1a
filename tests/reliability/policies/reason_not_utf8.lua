-- A name shortened with string.sub in the middle of a character.
-- expect: policy_error
return { name = "reason_not_utf8", version = 1, score = function()
  return { viability = 50, verdict = "shape", reasons = { ("Jürgen Müßig"):sub(1, 2) } }
end }
