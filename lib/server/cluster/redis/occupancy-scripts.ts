/**
 * Lua scripts that keep, per channel, the set of nodes with local subscribers, so
 * `channel_occupied` / `channel_vacated` fire once per cluster: only the script that moves a
 * channel's node count from 0 to 1 (or 1 to 0) reports it, however many nodes race. The
 * same rule as presence-scripts.ts, one level up: nodes per channel instead of sockets per user.
 *
 * Per channel `{ns}o:{appId}:{channel}`: SET of node ids. Per node `{ns}node:{id}:channels`:
 * SET of `[appId, channel]` JSON entries, so a survivor can take a dead node's channels out.
 * `{ns}` is the namespace of the channel's bucket, as in presence-scripts.ts.
 */

/** Removes node `n` from every channel it held, appending (app, channel) of channels left empty. */
export const REMOVE_NODE_CHANNELS = `
local function removeNodeChannels(ns, n, vacated)
  local idx = ns .. 'node:' .. n .. ':channels'
  for _, raw in ipairs(redis.call('SMEMBERS', idx)) do
    local e = cjson.decode(raw)
    local occ = ns .. 'o:' .. e[1] .. ':' .. e[2]
    if redis.call('SREM', occ, n) == 1 and redis.call('SCARD', occ) == 0 then
      vacated[#vacated + 1] = e[1]
      vacated[#vacated + 1] = e[2]
    end
  end
  redis.call('DEL', idx)
end
`;

/** KEYS: channel's node set, node index. ARGV: node id, entry. 1 when the channel was empty everywhere. */
export const OCCUPY_SCRIPT = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
if redis.call('SCARD', KEYS[1]) == 1 then return 1 end
return 0
`;

/** KEYS: channel's node set, node index. ARGV: node id, entry. 1 when no node holds it any more. */
export const VACATE_SCRIPT = `
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('SCARD', KEYS[1]) == 0 then return 1 end
return 0
`;

/**
 * Replaces this node's channels with the given ones (after Redis lost them, or this node was
 * swept as dead, or channels came and went while Redis was unreachable), in one bucket.
 * KEYS: this node's index in the bucket (for routing). ARGV: the bucket's namespace, this
 * node, JSON array of [app, channel, entry]. Returns { flat (app, channel) now occupied, flat
 * (app, channel) now vacated }: the net change, nothing the cluster heard of.
 */
export const OCCUPANCY_RESYNC_SCRIPT = `
local ns, me = ARGV[1], ARGV[2]
local idx = ns .. 'node:' .. me .. ':channels'
local was = {}
for _, raw in ipairs(redis.call('SMEMBERS', idx)) do
  local e = cjson.decode(raw)
  local occ = ns .. 'o:' .. e[1] .. ':' .. e[2]
  if redis.call('SREM', occ, me) == 1 and redis.call('SCARD', occ) == 0 then
    was[e[1] .. '\\0' .. e[2]] = { e[1], e[2] }
  end
end
redis.call('DEL', idx)
local occupied = {}
for _, e in ipairs(cjson.decode(ARGV[3])) do
  local occ = ns .. 'o:' .. e[1] .. ':' .. e[2]
  redis.call('SADD', idx, e[3])
  if redis.call('SADD', occ, me) == 1 and redis.call('SCARD', occ) == 1 then
    local k = e[1] .. '\\0' .. e[2]
    if was[k] then was[k] = nil else
      occupied[#occupied + 1] = e[1]
      occupied[#occupied + 1] = e[2]
    end
  end
end
local vacated = {}
for _, c in pairs(was) do
  vacated[#vacated + 1] = c[1]
  vacated[#vacated + 1] = c[2]
end
return { occupied, vacated }
`;
