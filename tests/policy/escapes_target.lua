-- must never load: outside the folder of the policies that try to require it
error("escapes_target.lua was loaded")
