import { REMOVE_NODE_CHANNELS } from './occupancy-scripts.js';

/**
 * Lua scripts that keep the cluster's presence rosters and node registry consistent. Each
 * runs atomically in Redis, which is what makes `member_added` / `member_removed` fire once
 * per user however many nodes race: the script that moves a user's socket count from 0 to 1
 * (or 1 to 0) is the only one that reports it.
 *
 * Per presence channel (base `{ns}p:{appId}:{channel}`): `:m` user → user_info JSON,
 * `:c` user → number of sockets, `:s` `{node}|{socket}` → user. Per node: `{ns}node:{id}`
 * (heartbeat key with a TTL) and `{ns}node:{id}:presence` (its memberships, JSON entries),
 * plus the registry SET `{ns}nodes`.
 *
 * `{ns}` is a bucket's namespace: the state is split into buckets by channel (one on a single
 * Redis, see RedisScalingKeys), each a self-contained copy of this layout, and a node runs
 * TICK, RESYNC and DEREGISTER in each. Keys are derived inside the scripts from the bucket's
 * namespace, which on a Redis Cluster is a hash tag, so every key a script builds is in the
 * slot of the key the call names (KEYS[1], the bucket's registry): a script never crosses slots.
 */

/** Removes every membership of node `n`, appending (app, channel, user) of users gone from a roster. */
const REMOVE_NODE = `
local function removeNode(ns, n, gone)
  local idx = ns .. 'node:' .. n .. ':presence'
  for _, raw in ipairs(redis.call('SMEMBERS', idx)) do
    local e = cjson.decode(raw)
    local base = ns .. 'p:' .. e[1] .. ':' .. e[2]
    if redis.call('HDEL', base .. ':s', n .. '|' .. e[3]) == 1 then
      if redis.call('HINCRBY', base .. ':c', e[4], -1) <= 0 then
        redis.call('HDEL', base .. ':c', e[4])
        redis.call('HDEL', base .. ':m', e[4])
        gone[#gone + 1] = e[1]
        gone[#gone + 1] = e[2]
        gone[#gone + 1] = e[4]
      end
    end
  end
  redis.call('DEL', idx)
end
`;

/**
 * KEYS: `:m`, `:c`, `:s`, node index. ARGV: socket field, user id, user_info JSON, entry.
 * Returns 1 when this socket is the user's first on the channel (cluster-wide).
 */
export const JOIN_SCRIPT = `
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('SADD', KEYS[4], ARGV[4])
local n = redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
if n == 1 then return 1 end
return 0
`;

/**
 * KEYS: `:m`, `:c`, `:s`, node index. ARGV: socket field, user id, entry.
 * Returns 1 when this was the user's last socket on the channel (cluster-wide).
 */
export const LEAVE_SCRIPT = `
redis.call('SREM', KEYS[4], ARGV[3])
if redis.call('HDEL', KEYS[3], ARGV[1]) == 0 then return 0 end
if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[2])
  redis.call('HDEL', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/**
 * The heartbeat in one bucket, with the sweep of dead nodes. ARGV: the bucket's namespace,
 * this node, TTL ms.
 * Returns { 1 if this node's key was still alive, dead node ids, flat (app, channel, user)
 * triples of users the sweep removed from a roster, flat (app, channel) pairs of channels
 * the dead held last (occupancy-scripts.ts) }. Only the survivor whose script finds a
 * node's key expired sweeps it, so the removals are reported once.
 */
export const TICK_SCRIPT = `${REMOVE_NODE}${REMOVE_NODE_CHANNELS}
local ns, me = ARGV[1], ARGV[2]
local existed = redis.call('EXISTS', ns .. 'node:' .. me)
redis.call('SET', ns .. 'node:' .. me, '1', 'PX', ARGV[3])
redis.call('SADD', ns .. 'nodes', me)
local dead, gone, vacated = {}, {}, {}
for _, n in ipairs(redis.call('SMEMBERS', ns .. 'nodes')) do
  if n ~= me and redis.call('EXISTS', ns .. 'node:' .. n) == 0 then
    dead[#dead + 1] = n
    removeNode(ns, n, gone)
    removeNodeChannels(ns, n, vacated)
    redis.call('SREM', ns .. 'nodes', n)
  end
end
return { existed, dead, gone, vacated }
`;

/**
 * Replaces this node's memberships of one bucket with the given ones (after Redis lost them or
 * this node was swept as dead). ARGV: the bucket's namespace, this node, TTL ms, JSON array of
 * [app, channel, socket, user, user_info JSON, entry], JSON array of [app, channel, user] whose
 * last local socket left while Redis was unreachable. Returns { flat (app, channel, user)
 * triples of users now gone, flat (app, channel, user, info) of users now added }: the net
 * change other nodes' clients must hear about.
 */
export const RESYNC_SCRIPT = `${REMOVE_NODE}
local ns, me = ARGV[1], ARGV[2]
redis.call('SET', ns .. 'node:' .. me, '1', 'PX', ARGV[3])
redis.call('SADD', ns .. 'nodes', me)
local removed = {}
removeNode(ns, me, removed)
local was = {}
for i = 1, #removed, 3 do was[removed[i] .. '\\0' .. removed[i + 1] .. '\\0' .. removed[i + 2]] = true end
local idx = ns .. 'node:' .. me .. ':presence'
local added = {}
for _, e in ipairs(cjson.decode(ARGV[4])) do
  local base = ns .. 'p:' .. e[1] .. ':' .. e[2]
  if redis.call('HSETNX', base .. ':s', me .. '|' .. e[3], e[4]) == 1 then
    redis.call('SADD', idx, e[6])
    local n = redis.call('HINCRBY', base .. ':c', e[4], 1)
    redis.call('HSET', base .. ':m', e[4], e[5])
    local k = e[1] .. '\\0' .. e[2] .. '\\0' .. e[4]
    if n == 1 then
      if was[k] then was[k] = nil else
        added[#added + 1] = e[1]
        added[#added + 1] = e[2]
        added[#added + 1] = e[4]
        added[#added + 1] = e[5]
      end
    else
      was[k] = nil
    end
  end
end
local gone, listed = {}, {}
for i = 1, #removed, 3 do
  local k = removed[i] .. '\\0' .. removed[i + 1] .. '\\0' .. removed[i + 2]
  if was[k] then
    listed[k] = true
    gone[#gone + 1] = removed[i]
    gone[#gone + 1] = removed[i + 1]
    gone[#gone + 1] = removed[i + 2]
  end
end
for _, c in ipairs(cjson.decode(ARGV[5])) do
  local k = c[1] .. '\\0' .. c[2] .. '\\0' .. c[3]
  if not listed[k] and redis.call('HEXISTS', ns .. 'p:' .. c[1] .. ':' .. c[2] .. ':m', c[3]) == 0 then
    listed[k] = true
    gone[#gone + 1] = c[1]
    gone[#gone + 1] = c[2]
    gone[#gone + 1] = c[3]
  end
end
return { gone, added }
`;

/**
 * A graceful shutdown: removes this node from one bucket. ARGV: the bucket's namespace, this
 * node. Returns { flat gone
 * triples, flat (app, channel) pairs of channels it held last }.
 */
export const DEREGISTER_SCRIPT = `${REMOVE_NODE}${REMOVE_NODE_CHANNELS}
local ns, me = ARGV[1], ARGV[2]
local gone, vacated = {}, {}
removeNode(ns, me, gone)
removeNodeChannels(ns, me, vacated)
redis.call('DEL', ns .. 'node:' .. me)
redis.call('SREM', ns .. 'nodes', me)
return { gone, vacated }
`;
