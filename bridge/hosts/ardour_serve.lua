-- mixdesk headless Ardour host: run by `ardour7-lua` (luasession).
--
-- Usage: ardour7-lua ardour_serve.lua CTL_DIR SESSION_DIR SESSION_NAME RATE OSC_PORT MODE
--
-- MODE "create": create a fresh session (luasession picks the Dummy backend)
-- with the audio tracks named in CTL_DIR/tracks (one name a line) and save it.
-- MODE "load": load the saved session as it is.
-- Then write CTL_DIR/ready and poll CTL_DIR every 20 ms:
--   stop       close the session and exit
--   req-N      one request (line 1: command, following lines: arguments);
--              the reply goes to rep-N.json (written atomically), N = 1, 2, ...
-- Commands: dump, save, add_track NAME [ORDER].
-- (Ardour 7.3's Lua cannot remove a route, and closing a session that was
-- loaded again in the same process can deadlock in Graph::drop_threads, so the
-- harness removes a track by restarting this script in "load" mode.)
-- OSC is switched on by the RC config the harness writes into XDG_CONFIG_HOME.
-- Lines this script prints start with "mixdesk:" so the harness can find them.

local ctl, sdir, sname = arg[1], arg[2], arg[3]
local rate, port, mode = tonumber(arg[4]), tonumber(arg[5]), arg[6]

local function say(msg)
  io.stderr:write("mixdesk: " .. msg .. "\n")
  io.stderr:flush()
end

local function exists(path)
  local f = io.open(path, "r")
  if f then f:close() return true end
  return false
end

local function read_lines(path)
  local out = {}
  local f = io.open(path, "r")
  if not f then return out end
  for line in f:lines() do out[#out + 1] = line end
  f:close()
  return out
end

local function write_atomic(path, text)
  local tmp = path .. ".tmp"
  local f = assert(io.open(tmp, "wb"))
  f:write(text)
  f:close()
  assert(os.rename(tmp, path))
end

-- JSON encoding (objects: string keys; arrays: tables made by arr()) -----------
local ARRAY = {}
local function arr(t) return setmetatable(t, ARRAY) end

local function jstr(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function json(v)
  local t = type(v)
  if v == nil then return "null"
  elseif t == "boolean" then return v and "true" or "false"
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if math.type(v) == "integer" then return tostring(v) end
    return string.format("%.17g", v)
  elseif t == "string" then return jstr(v)
  elseif t == "table" then
    local parts = {}
    if getmetatable(v) == ARRAY then
      for i = 1, #v do parts[i] = json(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for k, x in pairs(v) do parts[#parts + 1] = jstr(k) .. ":" .. json(x) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return jstr(tostring(v))
end

-- Session helpers -------------------------------------------------------------
local AUTO_NAMES = {
  [ARDOUR.AutoState.Off] = "Manual",
  [ARDOUR.AutoState.Write] = "Write",
  [ARDOUR.AutoState.Touch] = "Touch",
  [ARDOUR.AutoState.Play] = "Play",
  [ARDOUR.AutoState.Latch] = "Latch",
}

local function automation(ctrl)
  if ctrl:isnil() then return nil end
  local events = arr({})
  local al = ctrl:alist()
  if not al:isnil() then
    for ev in al:events():iter() do
      events[#events + 1] = arr({ ev.when:samples(), ev.value })
    end
  end
  local state = ctrl:automation_state()
  return { state = AUTO_NAMES[state] or tostring(state), events = events }
end

local function value_or_nil(ctrl)
  if ctrl:isnil() then return nil end
  return ctrl:get_value()
end

local function route_kind(r)
  if r:is_master() then return "master" end
  if r:is_monitor() then return "monitor" end
  local t = r:to_track()
  if t:isnil() then return "bus" end
  if t:to_midi_track():isnil() then return "audio_track" end
  return "midi_track"
end

local function sorted_routes(s)
  local routes = {}
  for r in s:get_routes():iter() do routes[#routes + 1] = r end
  table.sort(routes, function(a, b)
    local ma, mb = a:is_master() and 1 or 0, b:is_master() and 1 or 0
    if ma ~= mb then return ma < mb end
    return a:presentation_info_ptr():order() < b:presentation_info_ptr():order()
  end)
  return routes
end

local function dump(s)
  local routes = arr({})
  for _, r in ipairs(sorted_routes(s)) do
    local t = r:to_track()
    local rec = nil
    if not t:isnil() then rec = t:rec_enable_control():get_value() > 0.5 end
    routes[#routes + 1] = {
      name = r:name(),
      kind = route_kind(r),
      order = r:presentation_info_ptr():order(),
      hidden = r:is_hidden(),
      active = r:active(),
      gain = r:gain_control():get_value(),
      trim = value_or_nil(r:trim_control()),
      pan_azimuth = value_or_nil(r:pan_azimuth_control()),
      pan_width = value_or_nil(r:pan_width_control()),
      mute = r:mute_control():get_value() > 0.5,
      solo = r:solo_control():get_value() > 0.5,
      rec_enable = rec,
      gain_automation = automation(r:gain_control()),
      pan_automation = automation(r:pan_azimuth_control()),
    }
  end
  return {
    ok = true,
    sample_rate = s:nominal_sample_rate(),
    transport_sample = s:transport_sample(),
    rolling = s:transport_rolling(),
    routes = routes,
  }
end

local function add_track(s, name, order)
  if not s:route_by_name(name):isnil() then
    error("a route named " .. name .. " exists", 0)
  end
  local tl = s:new_audio_track(1, 2, nil, 1, name, order, ARDOUR.TrackMode.Normal, true)
  if tl:size() ~= 1 then error("new_audio_track made " .. tl:size() .. " tracks", 0) end
  for t in tl:iter() do
    if t:name() ~= name then error("Ardour named the track " .. t:name(), 0) end
  end
end

local function save(s)
  local rv = s:save_state("", false, false, false, false, false)
  if rv ~= 0 then error("save_state returned " .. tostring(rv), 0) end
end

local session_file = sdir .. "/" .. sname .. ".ardour"

-- Main ------------------------------------------------------------------------
ARDOUR.config():set_osc_port(port)
local s
if mode == "load" then
  s = load_session(sdir, sname)
  if not s then
    say("error: load_session failed for " .. session_file)
    os.exit(3)
  end
else
  s = create_session(sdir, sname, rate)
  if not s then
    say("error: create_session failed for " .. sdir)
    os.exit(3)
  end
  for _, name in ipairs(read_lines(ctl .. "/tracks")) do
    add_track(s, name, ARDOUR.PresentationInfo.max_order)
  end
  save(s)
end
write_atomic(ctl .. "/ready", tostring(port) .. "\n")
say("ready")

local seq = 1
while not exists(ctl .. "/stop") do
  local req = ctl .. "/req-" .. seq
  if exists(req) then
    local lines = read_lines(req)
    os.remove(req)
    local cmd = lines[1] or ""
    local ok, reply = pcall(function()
      if cmd == "dump" then
        return dump(s)
      elseif cmd == "save" then
        save(s)
        return { ok = true, session_file = session_file }
      elseif cmd == "add_track" then
        local order = ARDOUR.PresentationInfo.max_order
        if lines[3] and lines[3] ~= "" then order = tonumber(lines[3]) end
        add_track(s, lines[2], order)
        return { ok = true }
      end
      error("unknown command " .. cmd, 0)
    end)
    if not ok then
      reply = { ok = false, error = tostring(reply) }
    end
    write_atomic(ctl .. "/rep-" .. seq .. ".json", json(reply))
    seq = seq + 1
  else
    ARDOUR.LuaAPI.usleep(20000)
  end
end
say("stopping")
close_session()
say("stopped")
