using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt.Internal;

/// <summary>
/// A bounded cache of derived keys, one entry per user, holding that user's keys per server secret and purpose.
/// It never holds key material (password hash, stamp): only derived keys.
/// </summary>
/// <remarks>
/// Staleness is the danger here, not misses. A lookup that started before an invalidation must not put its (possibly
/// stale) key into the cache afterwards: every invalidation bumps an epoch, and <see cref="Add"/> only stores a key whose
/// lookup began in the current epoch, re-checking after the write.
/// <para>
/// With an <see cref="IUserKeyInvalidationBus"/> (several nodes), every local invalidation is published, other nodes'
/// invalidations are applied, and the cache is bypassed (no reads, no writes) whenever the bus is not known to be connected:
/// from startup until its first "connected", and from any "disconnected" until the next "connected". Both transitions clear
/// the cache, so nothing cached before or during a gap in the messages survives it.
/// </para>
/// </remarks>
internal sealed class UserKeyCache : IUserKeyCache
{
    private const int MaxKeysPerUser = 4;
    private const int MaxKidIndexSlots = 1 << 21;

    // A value is one UserSigningKey (the common case: one secret, one purpose) or a UserSigningKey[]; every key in a value
    // shares the value's expiry, kept in the keys themselves. No wrapper objects: they would cost 64 bytes per user.
    private readonly ConcurrentDictionary<string, object> _entries = new(StringComparer.Ordinal);
    private readonly Lock _sweepLock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private readonly long _ttlTicks;
    private readonly UserKeyedJwtMetrics? _metrics;
    private readonly IUserKeyInvalidationBus? _bus;

    // The kid index (D25): which cached key last verified a signature for a given kid, in two-way sets picked by the kid's
    // tag. Only a hint: a slot is used only when its key has the token's whole kid and is still the key the cache holds for
    // its user, secret and purpose, so stale slots need no invalidation and a collision just takes the full path.
    private readonly UserSigningKey?[]? _kidIndex;
    private long _epoch;
    private int _count;
    private volatile bool _bypassed;

    public UserKeyCache(
        IOptions<UserKeyedJwtOptions> options,
        TimeProvider time,
        ILogger<UserKeyCache> logger,
        UserKeyedJwtMetrics? metrics = null,
        IUserKeyInvalidationBus? bus = null)
    {
        _time = time;
        _logger = logger;
        _metrics = metrics;
        var value = options.Value;
        _capacity = value.KeyCacheSize;
        _ttlTicks = checked((long)(value.KeyCacheTtl.TotalSeconds * time.TimestampFrequency));
        if (Enabled)
        {
            // One slot per cached user's worth of capacity, rounded up to a power of two: 8 bytes each.
            _kidIndex = new UserSigningKey?[(int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(_capacity, 2, MaxKidIndexSlots))];
        }

        if (bus is not null)
        {
            // Not trusted until the bus says that other nodes' messages reach it.
            _bypassed = true;
            _bus = bus;
            metrics?.ObserveInvalidationBus(() => !_bypassed);
            bus.Subscribe(new Listener(this));
        }
    }

    public bool Enabled => _capacity > 0 && _ttlTicks > 0;

    /// <summary>Whether the cache is bypassed because its invalidation bus is not known to be connected.</summary>
    public bool Bypassed => _bypassed;

    public int Count => Volatile.Read(ref _count);

    public long Epoch => Volatile.Read(ref _epoch);

    /// <summary>The kid index's slots (8 bytes each), allocated with the cache: a fixed cost per unit of capacity.</summary>
    internal int KidIndexSlots => _kidIndex?.Length ?? 0;

    public UserSigningKey? Find(string userId, ServerSecret secret, TokenPurpose purpose)
    {
        if (_bypassed)
        {
            _metrics?.CacheBypassed();
            return null;
        }

        if (!_entries.TryGetValue(userId, out var value))
        {
            return null;
        }

        var first = value as UserSigningKey ?? ((UserSigningKey[])value)[0];
        if (_time.GetTimestamp() >= first.CacheExpiresAt)
        {
            Remove(userId, value);
            return null;
        }

        // Reference equality: a reloaded ring makes new ServerSecret objects, so keys of a removed secret never match.
        if (value is UserSigningKey single)
        {
            return ReferenceEquals(single.Secret, secret) && single.Purpose == purpose ? single : null;
        }

        foreach (var key in (UserSigningKey[])value)
        {
            if (ReferenceEquals(key.Secret, secret) && key.Purpose == purpose)
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>
    /// The cached key that verified a signature for exactly this <paramref name="kid"/> and <paramref name="purpose"/>, if
    /// the kid index still names it and the cache still holds it (not invalidated, evicted, expired or bypassed).
    /// </summary>
    public UserSigningKey? FindByKid(string kid, TokenPurpose purpose)
    {
        var index = _kidIndex;
        if (index is null || _bypassed || kid.Length <= UserSigningKey.TagLength)
        {
            return null;
        }

        var set = KidSet(index, kid);
        var candidate = Volatile.Read(ref index[set]);
        if (candidate is null || candidate.Purpose != purpose || !candidate.MatchesKid(kid))
        {
            candidate = Volatile.Read(ref index[set + 1]);
            if (candidate is null || candidate.Purpose != purpose || !candidate.MatchesKid(kid))
            {
                return null;
            }
        }

        return ReferenceEquals(Find(candidate.UserId, candidate.Secret, purpose), candidate) ? candidate : null;
    }

    /// <summary>Records that <paramref name="key"/> verified a signature for <paramref name="kid"/> (a kid of that key).</summary>
    public void RememberKid(UserSigningKey key, string kid)
    {
        var index = _kidIndex;
        if (index is null || _bypassed || kid.Length <= UserSigningKey.TagLength || !key.KidConfirmed)
        {
            return;
        }

        // A way that is free, holds this user's older key, or holds a key the cache no longer has; else the way the tag picks.
        // Only slow-path successes get here, so the liveness lookups are rare. The tag is a MAC: nobody can aim kids at a set.
        var set = KidSet(index, kid);
        var way = 0;
        for (; way < 2; way++)
        {
            var resident = Volatile.Read(ref index[set + way]);
            if (resident is null || (resident.Purpose == key.Purpose && ReferenceEquals(resident.Secret, key.Secret) && string.Equals(resident.UserId, key.UserId, StringComparison.Ordinal))
                || !ReferenceEquals(Find(resident.UserId, resident.Secret, resident.Purpose), resident))
            {
                break;
            }
        }

        Volatile.Write(ref index[set + (way < 2 ? way : kid[^2] & 1)], key);
    }

    private static int KidSet(UserSigningKey?[] index, string kid)
    {
        // The tag (the kid's last 22 characters) is base64url of a MAC, so its first 8 characters are evenly spread.
        var tag = MemoryMarshal.AsBytes(kid.AsSpan(kid.Length - UserSigningKey.TagLength, 8));
        var mixed = unchecked((BinaryPrimitives.ReadUInt64LittleEndian(tag) ^ BinaryPrimitives.ReadUInt64LittleEndian(tag[8..])) * 0x9E3779B97F4A7C15);
        return (int)((uint)(mixed >> 32) & (uint)(index.Length - 2));
    }

    /// <summary>
    /// Whether <paramref name="key"/>, found in the cache, may be older than a token issued at <paramref name="issuedAt"/>
    /// (with <paramref name="skew"/> for clocks of other nodes): then a token whose fingerprint differs from the cached key's
    /// may be newer than the cache, not revoked, and the store must decide.
    /// </summary>
    public bool MayPredate(UserSigningKey key, DateTimeOffset issuedAt, TimeSpan skew)
    {
        // Keys added next to an entry share its expiry, so this is the oldest fill time of the entry: the safe side.
        var age = _time.GetElapsedTime(key.CacheExpiresAt - _ttlTicks);
        return issuedAt >= _time.GetUtcNow() - age - skew;
    }

    public void Add(UserSigningKey key, long epochAtLookup)
    {
        if (!Enabled || _bypassed || Epoch != epochAtLookup || !key.KidConfirmed)
        {
            return;
        }

        var now = _time.GetTimestamp();
        while (true)
        {
            if (_entries.TryGetValue(key.UserId, out var existing))
            {
                var existingFirst = existing as UserSigningKey ?? ((UserSigningKey[])existing)[0];
                object replacement;
                if (now >= existingFirst.CacheExpiresAt)
                {
                    key.CacheExpiresAt = now + _ttlTicks;
                    replacement = key;
                }
                else
                {
                    key.CacheExpiresAt = existingFirst.CacheExpiresAt;
                    replacement = With(existing, key);
                }

                if (_entries.TryUpdate(key.UserId, replacement, existing))
                {
                    break;
                }
            }
            else
            {
                EnsureCapacity();
                key.CacheExpiresAt = now + _ttlTicks;
                if (_entries.TryAdd(key.UserId, key))
                {
                    Interlocked.Increment(ref _count);
                    break;
                }
            }
        }

        // Lost a race with Invalidate: the key may be stale, so drop it.
        if (Epoch != epochAtLookup && _entries.TryRemove(key.UserId, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    public void Invalidate(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        Drop(userId, "local");
        _bus?.Publish(userId);
    }

    public void Clear()
    {
        Interlocked.Increment(ref _epoch);
        lock (_sweepLock)
        {
            _entries.Clear();
            Volatile.Write(ref _count, 0);
            if (_kidIndex is not null)
            {
                // Not needed for correctness (a slot is only a hint), but it lets the dropped keys go.
                Array.Clear(_kidIndex);
            }
        }
    }

    private void Drop(string userId, string source)
    {
        Interlocked.Increment(ref _epoch);
        if (_entries.TryRemove(userId, out _))
        {
            Interlocked.Decrement(ref _count);
        }

        _metrics?.KeyCacheInvalidated(source);
        Log.KeyCacheInvalidated(_logger, userId, source);
    }

    private void ConnectionChanged(bool connected)
    {
        if (connected)
        {
            // Messages may have been missed while disconnected: start empty, then serve again.
            Clear();
            _bypassed = false;
        }
        else
        {
            // Stop serving first, then clear: an Add racing with this sees the epoch change and removes its key.
            _bypassed = true;
            Clear();
        }

        Log.InvalidationBusStateChanged(_logger, connected);
    }

    private static object With(object existing, UserSigningKey key)
    {
        var list = new List<UserSigningKey>(MaxKeysPerUser) { key };
        foreach (var other in existing as UserSigningKey[] ?? [(UserSigningKey)existing])
        {
            if (list.Count < MaxKeysPerUser && !(ReferenceEquals(other.Secret, key.Secret) && other.Purpose == key.Purpose))
            {
                list.Add(other);
            }
        }

        return list.Count == 1 ? list[0] : list.ToArray();
    }

    private void Remove(string userId, object value)
    {
        if (_entries.TryRemove(new KeyValuePair<string, object>(userId, value)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private void EnsureCapacity()
    {
        if (Volatile.Read(ref _count) < _capacity)
        {
            return;
        }

        lock (_sweepLock)
        {
            if (Volatile.Read(ref _count) < _capacity)
            {
                return;
            }

            // Expired entries go first; then arbitrary ones (hash order) down to 90%, so sweeps stay rare and O(1) amortised.
            var now = _time.GetTimestamp();
            foreach (var pair in _entries)
            {
                if (now >= (pair.Value as UserSigningKey ?? ((UserSigningKey[])pair.Value)[0]).CacheExpiresAt)
                {
                    _entries.TryRemove(pair);
                }
            }

            var target = _capacity - Math.Max(1, _capacity / 10);
            var excess = _entries.Count - target;
            if (excess > 0)
            {
                foreach (var pair in _entries)
                {
                    if (excess-- <= 0)
                    {
                        break;
                    }

                    _entries.TryRemove(pair);
                }
            }

            Volatile.Write(ref _count, _entries.Count);
        }
    }

    private sealed class Listener(UserKeyCache cache) : IUserKeyInvalidationListener
    {
        public void OnInvalidated(string userId)
        {
            if (!string.IsNullOrEmpty(userId))
            {
                cache.Drop(userId, "remote");
            }
        }

        public void OnConnectionChanged(bool connected) => cache.ConnectionChanged(connected);
    }
}
