for _, j in ipairs{999990, 999995, 999999, 1000000, 1000001} do
  local co = coroutine.create(function()
    local t = {}
    for i = 1, j do t[i] = i end
    return table.unpack(t)
  end)
  local r = table.pack(coroutine.resume(co)); print(j, r.n, r[1], r[2])
end
