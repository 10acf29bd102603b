-- mixdesk headless Ardour host: run by `ardour7-lua` (luasession).
--
-- Usage: ardour7-lua ardour_serve.lua CTL_DIR SESSION_DIR SESSION_NAME RATE OSC_PORT MODE
--
-- MODE "create": create a fresh session (luasession picks the Dummy backend)
-- and save it. It holds, in this order:
--   CTL_DIR/tracks   mono-in, stereo-out audio tracks (one name a line)
--   CTL_DIR/buses    stereo audio buses (one name a line), after the tracks
--   CTL_DIR/plugins  "ROUTE<TAB>URI" lines: LV2 plugins inserted pre-fader, in
--                    line order per route (OSC piid 1 = the route's first line)
--   CTL_DIR/sends    "TRACK<TAB>BUS" lines: aux sends, in line order per track
-- (Names cannot hold a tab: the harness refuses control characters.)
-- MODE "load": load the saved session as it is.
-- Then write CTL_DIR/ready and poll CTL_DIR every 20 ms:
--   stop       close the session and exit
--   req-N      one request (line 1: command, following lines: arguments);
--              the reply goes to rep-N.json (written atomically), N = 1, 2, ...
-- Commands: dump (routes with their plugins and sends too), save,
-- add_track NAME [ORDER].
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

-- Plugins and sends ----------------------------------------------------------
-- Facts measured with Ardour 7.3's ardour7-lua (ACE EQ, Compressor, Reverb, Delay):
-- * plugin:parameter_count() counts every LV2 port, audio ports too (ACE EQ 26,
--   Compressor 14, Reverb 7, Delay 14); plugin:nth_parameter(n, ok) walks only the
--   control ports and returns (controlid, {n, ok}) with ok false (controlid 0)
--   once n passes the last one (EQ 24, Compressor 11, Reverb 3, Delay 11 controls).
--   Control ids are LV2 port indices: the Reverb's first control is id 4.
-- * parameter_is_input is false for the meters (Compressor "Gain Reduction",
--   "Input Level", "Output Level"; Delay "Delaytime"); parameter_is_control is true
--   for every control port.
-- * plugin:get_parameter_descriptor(cid, ARDOUR.ParameterDescriptor()) returns
--   (0, {cid, pd}) with pd.label, pd.lower, pd.upper, for inputs and outputs.
-- * ARDOUR.LuaAPI.plugin_automation(proc, n) raises "Given Parameter is not an
--   input" for outputs and "Invalid Parameter" past the controls; for inputs it
--   returns (AutomationList, ControlList, ParameterDescriptor).
-- * ARDOUR.LuaAPI.get_plugin_insert_param(insert, n, false) returns the value of
--   the n-th control (outputs too) as (value, {insert, n, ok}).
-- * insert:to_automatable():automation_control(Evoral.Parameter(
--   ARDOUR.AutomationType.PluginAutomation, 0, cid), false) gives the control of
--   an input (its get_value() equals the plugin's value) and nil for an output.
-- * OSC /strip/plugin/descriptor numbers a parameter ppi + 1 for ppi over
--   0 .. parameter_count() - 1 and lists those whose nth_parameter(ppi) is ok
--   (input or control): numbers 1..24 for ACE EQ, 1..11 for the Compressor, the
--   meters included. plugin_params does the same, so the numbers agree (the
--   tests compare number, label, lower and upper with the OSC reply).
-- * OSC's "current value" is the automation control's value, 0 for an output;
--   the dump gives an output's plugin value (the Compressor's idle "Input Level"
--   reads -160).
-- * The bus's plugins are replicated per channel when they are mono; plugin(0)
--   is the one OSC describes.

local function plugin_params(ins)
  local plug = ins:plugin(0)
  local params = arr({})
  for ppi = 0, plug:parameter_count() - 1 do
    local cid, out = plug:nth_parameter(ppi, false)
    if out[2] and (plug:parameter_is_input(cid) or plug:parameter_is_control(cid)) then
      local _, dout = plug:get_parameter_descriptor(cid, ARDOUR.ParameterDescriptor())
      local pd = dout[2]
      local is_input = plug:parameter_is_input(cid)
      local value, auto = ARDOUR.LuaAPI.get_plugin_insert_param(ins, ppi, false), nil
      if is_input then
        local ctrl = ins:to_automatable():automation_control(
          Evoral.Parameter(ARDOUR.AutomationType.PluginAutomation, 0, cid), false)
        if not ctrl:isnil() then
          value = ctrl:get_value()
          auto = automation(ctrl)
        end
      end
      params[#params + 1] = {
        number = ppi + 1,
        name = pd.label,
        value = value,
        lower = pd.lower,
        upper = pd.upper,
        input = is_input,
        automation = auto,
      }
    end
  end
  return params
end

-- Put one plugin parameter's automation in a state (Manual/Play/Write/Touch/Latch):
-- Ardour's OSC has no message for it; a Play lane makes the control ignore sets.
local AUTO_STATES = {
  Manual = ARDOUR.AutoState.Off, Play = ARDOUR.AutoState.Play,
  Write = ARDOUR.AutoState.Write, Touch = ARDOUR.AutoState.Touch,
  Latch = ARDOUR.AutoState.Latch,
}

local function plugin_automation(s, route, piid, number, state)
  local r = s:route_by_name(route)
  if r:isnil() then error("no route named " .. route, 0) end
  local ins = r:nth_plugin(piid - 1):to_insert()
  if ins:isnil() then error("no plugin " .. piid .. " on " .. route, 0) end
  local cid, out = ins:plugin(0):nth_parameter(number - 1, false)
  if not out[2] then error("no parameter " .. number, 0) end
  local ctrl = ins:to_automatable():automation_control(
    Evoral.Parameter(ARDOUR.AutomationType.PluginAutomation, 0, cid), false)
  if ctrl:isnil() or AUTO_STATES[state] == nil then error("cannot automate " .. number, 0) end
  ctrl:set_automation_state(AUTO_STATES[state])
end

local function route_plugins(r)
  local plugins = arr({})
  local i = 0
  while true do
    local proc = r:nth_plugin(i)
    if proc:isnil() then break end
    local ins = proc:to_insert()
    if not ins:isnil() then
      plugins[#plugins + 1] = {
        name = ins:plugin(0):name(),
        active = proc:active(),
        params = plugin_params(ins),
      }
    end
    i = i + 1
  end
  return plugins
end

local function route_sends(r)
  local sends = arr({})
  local i = 0
  while true do
    local proc = r:nth_send(i)
    if proc:isnil() then break end
    local target = nil
    local isend = proc:to_internalsend()
    if not isend:isnil() then target = isend:target_route():name() end
    sends[#sends + 1] = {
      target = target or r:send_name(i),
      gain = r:send_level_controllable(i):get_value(),
      active = proc:active(),
    }
    i = i + 1
  end
  return sends
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
      plugins = route_plugins(r),
      sends = route_sends(r),
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

local function split_tab(line)
  local a, b = line:match("^([^\t]+)\t([^\t]+)$")
  if not a then error("bad line in the harness's setup file: " .. line, 0) end
  return a, b
end

local function add_bus(s, name)
  if not s:route_by_name(name):isnil() then
    error("a route named " .. name .. " exists", 0)
  end
  local rl = s:new_audio_route(2, 2, nil, 1, name, ARDOUR.PresentationInfo.Flag.AudioBus,
    ARDOUR.PresentationInfo.max_order)
  if rl:size() ~= 1 then error("new_audio_route made " .. rl:size() .. " buses", 0) end
  if rl:front():name() ~= name then error("Ardour named the bus " .. rl:front():name(), 0) end
end

-- Insert in order at increasing processor indices: index i lands after the i
-- plugins already added (pre-fader), so nth_plugin(i), OSC piid i + 1, is line i.
local function add_plugin(s, route_name, uri)
  local r = s:route_by_name(route_name)
  if r:isnil() then error("no route named " .. route_name, 0) end
  local p = ARDOUR.LuaAPI.new_plugin(s, uri, ARDOUR.PluginType.LV2, "")
  if p:isnil() then error("Ardour has no LV2 plugin " .. uri, 0) end
  local index = 0
  while not r:nth_plugin(index):isnil() do index = index + 1 end
  if r:add_processor_by_index(p, index, nil, true) ~= 0 then
    error("cannot add " .. uri .. " to " .. route_name, 0)
  end
  if r:nth_plugin(index):isnil() then error(uri .. " is not plugin " .. index + 1, 0) end
end

local function add_send(s, track_name, bus_name)
  local t = s:route_by_name(track_name)
  local b = s:route_by_name(bus_name)
  if t:isnil() then error("no route named " .. track_name, 0) end
  if b:isnil() then error("no bus named " .. bus_name, 0) end
  if t:add_aux_send(b, t:main_outs()) ~= 0 then
    error("cannot add a send from " .. track_name .. " to " .. bus_name, 0)
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
  local ok, err = pcall(function()
    for _, name in ipairs(read_lines(ctl .. "/tracks")) do
      add_track(s, name, ARDOUR.PresentationInfo.max_order)
    end
    for _, name in ipairs(read_lines(ctl .. "/buses")) do add_bus(s, name) end
    for _, line in ipairs(read_lines(ctl .. "/plugins")) do add_plugin(s, split_tab(line)) end
    for _, line in ipairs(read_lines(ctl .. "/sends")) do add_send(s, split_tab(line)) end
  end)
  if not ok then
    say("error: " .. tostring(err))
    close_session()
    os.exit(4)
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
      elseif cmd == "plugin_automation" then
        plugin_automation(s, lines[2], tonumber(lines[3]), tonumber(lines[4]), lines[5])
        return { ok = true }
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
