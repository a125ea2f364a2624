using System.Collections.Concurrent;

namespace UserKeyedJwt;

/// <summary>
/// A bounded, in-process <see cref="IRevokedTokenStore"/>. Every entry is dropped once the token it concerns has expired;
/// a full store first sweeps expired entries and then refuses new ones (it never drops a live revocation, which would undo
/// a logout). Right for a single node; use the Redis store when several nodes validate tokens.
/// </summary>
public sealed class InMemoryRevokedTokenStore : IRevokedTokenStore
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Lock _sweepLock = new();
    private long _nextSweepTicks;

    /// <summary>Creates a store holding at most <paramref name="capacity"/> entries, on the clock <paramref name="time"/>.</summary>
    public InMemoryRevokedTokenStore(TimeProvider time, int capacity = 1_000_000)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        Capacity = capacity;
    }

    /// <summary>The most entries the store holds.</summary>
    public int Capacity { get; }

    /// <summary>The entries held now, expired ones not yet swept included.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public ValueTask<bool> IsRevokedAsync(string tokenId, string? sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        var now = _time.GetUtcNow().UtcTicks;
        var revoked = IsLive(TokenKey(tokenId), now) || (sessionId is not null && IsLive(SessionKey(sessionId), now));
        return ValueTask.FromResult(revoked);
    }

    /// <inheritdoc />
    public ValueTask RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        Put(TokenKey(tokenId), expiresAt);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RevokeSessionAsync(string sessionId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        Put(SessionKey(sessionId), expiresAt);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<DateTimeOffset?> TryConsumeAsync(string tokenId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        var key = "c:" + tokenId;
        var clock = _time.GetUtcNow().UtcTicks;
        var fresh = new Entry(expiresAt.UtcTicks, now.UtcTicks);
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                if (existing.ExpiresTicks > clock)
                {
                    return ValueTask.FromResult<DateTimeOffset?>(new DateTimeOffset(existing.ConsumedTicks, TimeSpan.Zero));
                }

                // An expired entry is as good as absent; replace it atomically so that only one caller wins.
                if (_entries.TryUpdate(key, fresh, existing))
                {
                    return ValueTask.FromResult<DateTimeOffset?>(null);
                }

                continue;
            }

            MakeRoom(clock);
            if (_entries.TryAdd(key, fresh))
            {
                return ValueTask.FromResult<DateTimeOffset?>(null);
            }
        }
    }

    private static string TokenKey(string tokenId) => "j:" + tokenId;

    private static string SessionKey(string sessionId) => "s:" + sessionId;

    private bool IsLive(string key, long now)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        if (entry.ExpiresTicks > now)
        {
            return true;
        }

        _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        return false;
    }

    private void Put(string key, DateTimeOffset expiresAt)
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (expiresAt.UtcTicks <= now)
        {
            // The token has expired already: nothing to remember.
            return;
        }

        if (!_entries.ContainsKey(key))
        {
            MakeRoom(now);
        }

        _entries.AddOrUpdate(key, new Entry(expiresAt.UtcTicks, now), (_, old) => old.ExpiresTicks >= expiresAt.UtcTicks ? old : new Entry(expiresAt.UtcTicks, now));
    }

    private void MakeRoom(long now)
    {
        var due = now >= Interlocked.Read(ref _nextSweepTicks);
        if (!due && _entries.Count < Capacity)
        {
            return;
        }

        lock (_sweepLock)
        {
            Interlocked.Exchange(ref _nextSweepTicks, now + SweepInterval.Ticks);
            foreach (var (key, entry) in _entries)
            {
                if (entry.ExpiresTicks <= now)
                {
                    _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
                }
            }

            if (_entries.Count >= Capacity)
            {
                throw new InvalidOperationException($"The in-memory revocation store is full ({Capacity} live entries); raise {UserKeyedSessionOptions.SectionName}:{nameof(UserKeyedSessionOptions.InMemoryStoreCapacity)} or use a distributed store.");
            }
        }
    }

    private readonly record struct Entry(long ExpiresTicks, long ConsumedTicks);
}
