-- a module that fails while loading
error("broken module")
