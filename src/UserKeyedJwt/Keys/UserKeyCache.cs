using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt;

/// <summary>
/// The derived keys of recently seen users: bounded, with a TTL, and holding derived keys only, never key inputs. A user's
/// entry is an array of immutable <see cref="UserKey"/>s, one per server secret, purpose and session, that is replaced and
/// never changed.
/// </summary>
/// <remarks>
/// Staleness is the danger here, not misses, and two rules guard against it.
/// <list type="bullet">
/// <item>Every invalidation bumps an epoch, and <see cref="Add"/> stores a key only if its lookup began in the current epoch
/// (checked again after the write), so a lookup that raced an invalidation cannot put the old key back.</item>
/// <item>With an <see cref="IUserKeyInvalidationBus"/>, local invalidations are published and other nodes' are applied, and
/// the cache is bypassed (no reads, no writes) while the bus is not known to be connected: from startup to its first
/// "connected", and from any "disconnected" to the next "connected". Both transitions clear it, so nothing cached before or
/// during a gap in the messages survives.</item>
/// </list>
/// </remarks>
internal sealed class UserKeyCache : IUserKeyCache
{
    // Enough for a user's access and refresh keys on a few devices; a user with more costs store reads, never a wrong answer.
    private const int MaxKeysPerUser = 16;

    private readonly ConcurrentDictionary<string, UserKey[]> _entries = new(StringComparer.Ordinal);
    private readonly Lock _sweepLock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly UserKeyedJwtMetrics _metrics;
    private readonly IUserKeyInvalidationBus? _bus;
    private readonly int _capacity;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _clockSkew;
    private long _epoch;
    private volatile bool _bypassed;

    public UserKeyCache(IOptions<UserKeyedJwtOptions> options, TimeProvider time, ILogger<UserKeyCache> logger, UserKeyedJwtMetrics metrics, IUserKeyInvalidationBus? bus = null)
    {
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _capacity = options.Value.KeyCacheSize;
        _ttl = options.Value.KeyCacheTtl;
        _clockSkew = options.Value.ClockSkew;
        if (bus is not null)
        {
            // Not trusted until the bus says that other nodes' messages reach it.
            _bypassed = true;
            _bus = bus;
            metrics.ObserveInvalidationBus(() => !_bypassed);
            bus.Subscribe(new Listener(this));
        }
    }

    private bool Enabled => _capacity > 0 && _ttl > TimeSpan.Zero;

    /// <inheritdoc />
    public bool IsBypassed => _bypassed;

    public int Count => _entries.Count;

    /// <summary>Read before a lookup and passed to <see cref="Add"/>.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    public UserKey? Find(string userId, ServerSecret secret, TokenPurpose purpose, string? sessionId)
    {
        if (_bypassed)
        {
            _metrics.CacheBypassed();
            return null;
        }

        if (_entries.TryGetValue(userId, out var keys))
        {
            foreach (var key in keys)
            {
                // By reference: a reloaded ring has new ServerSecret objects, so keys of a replaced secret never match.
                if (ReferenceEquals(key.Secret, secret) && key.Purpose == purpose && key.SessionId == sessionId && !IsExpired(key))
                {
                    _metrics.CacheHit();
                    return key;
                }
            }
        }

        _metrics.CacheMiss();
        return null;
    }

    /// <summary>
    /// Whether a token issued at <paramref name="issuedAt"/> may be newer than <paramref name="key"/>: issued on another node
    /// after a change whose invalidation has not reached this one. Then a differing fingerprint does not prove revocation.
    /// </summary>
    public bool MayPredate(UserKey key, DateTime issuedAt) =>
        issuedAt >= _time.GetUtcNow().UtcDateTime - _time.GetElapsedTime(key.DerivedAt) - _clockSkew;

    public void Add(string userId, UserKey key, long epochAtLookup)
    {
        if (!Enabled || _bypassed || Epoch != epochAtLookup)
        {
            return;
        }

        while (true)
        {
            if (_entries.TryGetValue(userId, out var existing))
            {
                if (_entries.TryUpdate(userId, With(existing, key), existing))
                {
                    break;
                }
            }
            else
            {
                MakeRoom();
                if (_entries.TryAdd(userId, [key]))
                {
                    break;
                }
            }
        }

        // An invalidation ran during the write: the key may be stale, so it goes.
        if (Epoch != epochAtLookup)
        {
            _entries.TryRemove(userId, out _);
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
        _entries.Clear();
    }

    private bool IsExpired(UserKey key) => _time.GetElapsedTime(key.DerivedAt) >= _ttl;

    private UserKey[] With(UserKey[] existing, UserKey key)
    {
        var keys = new List<UserKey>(MaxKeysPerUser) { key };
        foreach (var other in existing)
        {
            if (keys.Count < MaxKeysPerUser && !IsExpired(other) && !(ReferenceEquals(other.Secret, key.Secret) && other.Purpose == key.Purpose && other.SessionId == key.SessionId))
            {
                keys.Add(other);
            }
        }

        return [.. keys];
    }

    private void Drop(string userId, string source)
    {
        Interlocked.Increment(ref _epoch);
        _entries.TryRemove(userId, out _);
        _metrics.KeyCacheInvalidated(source);
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

    private void MakeRoom()
    {
        if (_entries.Count < _capacity)
        {
            return;
        }

        lock (_sweepLock)
        {
            if (_entries.Count < _capacity)
            {
                return;
            }

            // Expired entries first, then arbitrary ones (hash order) down to 90%, so that sweeps are rare. An evicted user
            // costs one store read, never a wrong answer.
            foreach (var (userId, keys) in _entries)
            {
                if (Array.TrueForAll(keys, IsExpired))
                {
                    _entries.TryRemove(new KeyValuePair<string, UserKey[]>(userId, keys));
                }
            }

            var excess = _entries.Count - (_capacity - Math.Max(1, _capacity / 10));
            foreach (var entry in _entries)
            {
                if (excess-- <= 0)
                {
                    break;
                }

                _entries.TryRemove(entry);
            }
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
