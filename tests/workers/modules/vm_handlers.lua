-- Loaded by `workers.Dispatcher.new(n, "modules.vm_handlers")` on each of its workers.
local count = 0
workers.bind("DOTASK", function(amount)
  local i = 0
  for _ = 1, amount do i = i + 1 end
  count = count + 1
  return i
end)
workers.bind("COUNT", function() return count end)
return true
