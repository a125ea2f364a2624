using System.Collections.Concurrent;
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
        if (!Enabled || _bypassed || Epoch != epochAtLookup)
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
