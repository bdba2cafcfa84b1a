-- Loading a binary chunk (hand-made bytecode can break the VM).
-- expect: policy_error
return { name = "escape_bytecode", version = 1, score = function()
  local f = assert(load("\27Lua\84\0\25\147\13\10\26\10\4\8\8", "x", "b"))
  return { viability = f(), verdict = "shape" }
end }
