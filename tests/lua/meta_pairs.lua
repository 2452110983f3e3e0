-- __pairs: pairs(t) calls it and uses its first three results; next() is
-- not affected; a common use is ordered or proxied iteration.

-- An ordered view over a table.
local function ordered(t)
  return setmetatable({}, {
    __pairs = function()
      local keys = {}
      for k in next, t do keys[#keys + 1] = k end
      table.sort(keys)
      local i = 0
      return function()
        i = i + 1
        local k = keys[i]
        if k ~= nil then return k, t[k] end
      end, nil, nil
    end,
  })
end
for k, v in pairs(ordered({ c = 3, a = 1, b = 2, d = 4 })) do print(k, v) end

-- The handler receives the table; its results are (iterator, state, control).
local got
local P = setmetatable({ 10, 20 }, {
  __pairs = function(t) got = t return ipairs(t) end,
})
for i, v in pairs(P) do print("P", i, v) end
print(got == P)

-- Extra results beyond three are dropped; fewer are padded with nil.
local Q = setmetatable({}, { __pairs = function() return function(_, c) if not c then return 1, "one" end end, "s", nil, "extra" end })
print(select("#", pairs(Q)), select(4, pairs(Q)))
for k, v in pairs(Q) do print("Q", k, v) end

-- next ignores __pairs.
print(next(Q), rawlen(Q))

-- A proxy: iteration over the real table hidden behind __index/__newindex.
local real = { x = 1 }
local proxy = setmetatable({}, {
  __index = real,
  __newindex = real,
  __pairs = function() return next, real, nil end,
})
proxy.y = 2
local n = 0
for _ in pairs(proxy) do n = n + 1 end
print(n, rawget(proxy, "x"), proxy.y)

-- __pairs that is not callable.
print(pcall(pairs, setmetatable({}, { __pairs = 1 })))
