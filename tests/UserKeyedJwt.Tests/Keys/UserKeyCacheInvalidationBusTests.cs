using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Keys;

/// <summary>
/// The key cache's contract with an <see cref="IUserKeyInvalidationBus"/>: publish every local invalidation, apply remote
/// ones, and never serve a cached key while the bus is not known to be connected. The Redis bus itself is tested against a
/// real redis-server in UserKeyedJwt.Redis.Tests.
/// </summary>
public class UserKeyCacheInvalidationBusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bus_NotYetConnected_EveryTokenReadsTheStore()
    {
        var bus = new RecordingBus();
        using var f = new CoreFixture(bus: bus);
        var token = f.Issuer.Issue(f.AddUser()).Token;

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        }

        Assert.Equal(3, f.Source.Calls);
        Assert.True(f.Services.GetRequiredService<UserKeyCache>().IsBypassed);
    }

    [Fact]
    public async Task Bus_Connected_CachesAndPublishesLocalInvalidations()
    {
        var bus = new RecordingBus();
        using var f = new CoreFixture(bus: bus);
        bus.Listener!.OnConnectionChanged(true);
        var token = f.Issuer.Issue(f.AddUser()).Token;

        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        Assert.Equal(1, f.Source.Calls);

        f.Cache.Invalidate("user-1");
        Assert.Equal(["user-1", "user-1"], bus.Published); // AddUser invalidates too
    }

    [Fact]
    public async Task Bus_RemoteInvalidation_RevokesAtOnceAndIsNotPublishedAgain()
    {
        var bus = new RecordingBus();
        using var f = new CoreFixture(bus: bus);
        bus.Listener!.OnConnectionChanged(true);
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        var published = bus.Published.Count;
        using var received = new MetricCollector<long>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.key_cache.invalidations");

        // Another node changed the user (the shared store) and published the id.
        f.Users.Set(new UserKeyInputs("user-1", "stamp-2", "hash-1"));
        bus.Listener.OnInvalidated("user-1");

        Assert.Equal(TokenFailureReason.KeyInputsChanged, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        Assert.Equal(published, bus.Published.Count);
        Assert.Equal("remote", Assert.Single(received.GetMeasurementSnapshot()).Tags["source"]);
    }

    [Fact]
    public async Task Bus_Disconnected_ClearsAndReadsThrough_ThenClearsAgainOnReconnect()
    {
        var bus = new RecordingBus();
        using var f = new CoreFixture(bus: bus);
        var cache = f.Services.GetRequiredService<UserKeyCache>();
        bus.Listener!.OnConnectionChanged(true);
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        Assert.Equal(1, cache.Count);

        bus.Listener.OnConnectionChanged(false);
        Assert.Equal(0, cache.Count);

        // A change whose message is lost with the channel: the very next request still sees it.
        f.Users.Set(new UserKeyInputs("user-1", "stamp-2", "hash-1"));
        Assert.Equal(TokenFailureReason.KeyInputsChanged, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        Assert.Equal(0, cache.Count);

        var fresh = f.Issuer.Issue(new UserKeyInputs("user-1", "stamp-2", "hash-1")).Token;
        Assert.True((await f.Handler.ValidateAsync(fresh, cancellationToken: Ct)).IsValid);
        Assert.Equal(0, cache.Count);

        bus.Listener.OnConnectionChanged(true);
        Assert.True((await f.Handler.ValidateAsync(fresh, cancellationToken: Ct)).IsValid);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Bus_StateIsAGauge()
    {
        var bus = new RecordingBus();
        using var f = new CoreFixture(bus: bus);
        _ = f.Services.GetRequiredService<UserKeyCache>();
        using var gauge = new MetricCollector<int>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.invalidation_bus.connected");

        gauge.RecordObservableInstruments();
        Assert.Equal(0, gauge.LastMeasurement!.Value);
        bus.Listener!.OnConnectionChanged(true);
        gauge.RecordObservableInstruments();
        Assert.Equal(1, gauge.LastMeasurement!.Value);
        bus.Listener.OnConnectionChanged(false);
        gauge.RecordObservableInstruments();
        Assert.Equal(0, gauge.LastMeasurement!.Value);
    }

    [Fact]
    public async Task StaleCache_TokenIssuedAfterTheCachedKey_IsCheckedAgainstTheStore()
    {
        // Node A cached user-1's key; the user changed on node B, whose invalidation has not reached A (no bus at all here).
        using var f = new CoreFixture();
        var old = f.Issuer.Issue(f.AddUser()).Token;
        f.Time.Advance(TimeSpan.FromSeconds(40));
        Assert.True((await f.Handler.ValidateAsync(old, cancellationToken: Ct)).IsValid);
        Assert.Equal(1, f.Source.Calls);

        f.Time.Advance(TimeSpan.FromSeconds(5));
        var changed = new UserKeyInputs("user-1", "stamp-2", "hash-1");
        f.Users.Set(changed);
        var fresh = f.Issuer.Issue(changed).Token;

        // The fresh token is newer than the cached key: the store decides, and accepts it.
        Assert.True((await f.Handler.ValidateAsync(fresh, cancellationToken: Ct)).IsValid);
        Assert.Equal(2, f.Source.Calls);

        // The old token predates the cached key by more than the clock skew: revoked from the cache, without a read.
        Assert.Equal(TokenFailureReason.KeyInputsChanged, (await f.Handler.ValidateAsync(old, cancellationToken: Ct)).FailureReason);
        Assert.True((await f.Handler.ValidateAsync(fresh, cancellationToken: Ct)).IsValid);
        Assert.Equal(2, f.Source.Calls);
    }

    [Theory]
    [InlineData("253402300799")]
    [InlineData("99999999999999")]
    [InlineData("-5")]
    public async Task StaleCache_EditedIatAtTheEdges_IsAFailureValueNeverAnException(string iat)
    {
        // A genuine old token (its kid's tag verifies) with iat edited: the signature fails, whatever the cache decides.
        using var f = new CoreFixture();
        var old = f.Issuer.Issue(f.AddUser()).Token;
        f.Time.Advance(TimeSpan.FromSeconds(40));
        f.Users.Set(new UserKeyInputs("user-1", "stamp-2", "hash-1"));
        f.Cache.Invalidate("user-1");
        Assert.True((await f.Handler.ValidateAsync(f.Issuer.Issue(new UserKeyInputs("user-1", "stamp-2", "hash-1")).Token, cancellationToken: Ct)).IsValid);

        var edited = Tokens.WithPayloadClaim(old, "iat", long.Parse(iat, System.Globalization.CultureInfo.InvariantCulture));

        var result = await f.Handler.ValidateAsync(edited, cancellationToken: Ct);
        Assert.False(result.IsValid);
        Assert.Contains(result.FailureReason, new TokenFailureReason?[] { TokenFailureReason.KeyInputsChanged, TokenFailureReason.InvalidSignature });
    }

    [Fact]
    public async Task StaleCache_ForgedKidOfAnotherFingerprint_NeverReadsTheStore()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);

        // A kid with another fingerprint but no valid tag: rejected as forged before the stale-cache check.
        var forged = Tokens.WithKid(token, ReplaceFingerprint);
        Assert.Equal(TokenFailureReason.InvalidKidTag, (await f.Handler.ValidateAsync(forged, cancellationToken: Ct)).FailureReason);
        Assert.Equal(1, f.Source.Calls);
    }

    private static string ReplaceFingerprint(string kid)
    {
        var parts = kid.Split('.');
        parts[1] = new string('A', parts[1].Length);
        return string.Join('.', parts);
    }

    private sealed class RecordingBus : IUserKeyInvalidationBus
    {
        public IUserKeyInvalidationListener? Listener { get; private set; }

        public List<string> Published { get; } = [];

        public void Subscribe(IUserKeyInvalidationListener listener) => Listener = listener;

        public void Publish(string userId) => Published.Add(userId);
    }
}
