using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Diagnostics;

public class UserKeyedJwtDiagnosticsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MeterName_IsTheMeterOfTheCoresInstruments()
    {
        using var f = new CoreFixture(bus: new NeverConnectedBus());
        var instruments = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // The fixture's own meters only: other tests' hosts publish the same names in parallel.
            if (instrument.Meter.Name == UserKeyedJwtDiagnostics.MeterName && ReferenceEquals(instrument.Meter.Scope, f.MeterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => instruments.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => instruments.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.Start();

        var token = f.Issuer.Issue(f.AddUser()).Token;
        await f.Handler.ValidateAsync(token, cancellationToken: Ct);
        listener.RecordObservableInstruments();

        Assert.Equal("UserKeyedJwt", UserKeyedJwtDiagnostics.MeterName);
        Assert.Equal(1, instruments["userkeyedjwt.tokens.issued"]);
        Assert.Equal(1, instruments["userkeyedjwt.validations"]);
        Assert.Equal(1, instruments["userkeyedjwt.key_cache.bypasses"]);
        Assert.Equal(0, instruments["userkeyedjwt.invalidation_bus.connected"]);
    }

    [Fact]
    public async Task Validate_RevokedToken_ActivityCarriesTheReasonAndNoSecret()
    {
        var secret = CoreFixture.NewSecret();
        using var f = new CoreFixture(o => Validation.UserKeyedTokenHandlerTests.Use(o, secret));
        using var trace = new TraceRecorder();
        var user = f.AddUser(id: "alice@example.test", stamp: "STAMP-VALUE-42", hash: "AQAAAAHASHVALUE42");
        var token = f.Issuer.Issue(user).Token;

        using (trace.Start())
        {
            Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
            f.AddUser(id: "alice@example.test", stamp: "STAMP-VALUE-43", hash: "AQAAAAHASHVALUE43");
            f.Cache.Invalidate("alice@example.test");
            Assert.False((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
            Assert.False((await f.Handler.ValidateAsync("garbage", TokenPurpose.Refresh, Ct)).IsValid);
        }

        var activities = trace.Activities;
        Assert.Equal(3, activities.Count);
        Assert.All(activities, a => Assert.Equal("UserKeyedJwt.Validate", a.OperationName));
        Assert.All(activities, a => Assert.Equal(UserKeyedJwtDiagnostics.ActivitySourceName, a.Source.Name));
        Assert.Equal(
            ["access success -", "access failure key_inputs_changed", "refresh failure malformed"],
            activities.Select(a => $"{a.GetTagItem("userkeyedjwt.purpose")} {a.GetTagItem("userkeyedjwt.result")} {a.GetTagItem("userkeyedjwt.failure_reason") ?? "-"}"));
        Assert.All(activities, a => Assert.Equal(ActivityStatusCode.Unset, a.Status));

        var forbidden = new[] { token, token.Split('.')[2], secret, "STAMP-VALUE-4", "AQAAAAHASHVALUE4", "alice" };
        foreach (var tag in activities.SelectMany(a => a.TagObjects))
        {
            foreach (var value in forbidden)
            {
                Assert.DoesNotContain(value, $"{tag.Key}={tag.Value}", StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Validate_StoreDown_ActivityIsAnError()
    {
        var source = new FailingSource();
        using var f = new CoreFixture(source: source);
        using var trace = new TraceRecorder();
        var token = f.Issuer.Issue(new UserKeyInputs("user-1", "stamp-1", "hash-1")).Token;

        using (trace.Start())
        {
            Assert.Equal(TokenFailureReason.StoreUnavailable, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        }

        var activity = Assert.Single(trace.Activities);
        Assert.Equal("store_unavailable", activity.GetTagItem("userkeyedjwt.failure_reason"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
    }

    [Fact]
    public async Task Refresh_Redeemed_IsOneActivityWithTheValidationInside()
    {
        using var f = new SessionFixture();
        using var trace = new TraceRecorder();
        var tokens = await f.Sessions.StartAsync(f.AddUser(), cancellationToken: Ct);

        using (trace.Start())
        {
            Assert.True((await f.Sessions.RefreshAsync(tokens.RefreshToken.Token, cancellationToken: Ct)).Succeeded);
            Assert.False((await f.Sessions.RefreshAsync(tokens.AccessToken.Token, cancellationToken: Ct)).Succeeded);
        }

        var refreshes = trace.Activities.Where(a => a.OperationName == "UserKeyedJwt.Refresh").ToList();
        Assert.Equal(["success -", "failure wrong_purpose"], refreshes.Select(a => $"{a.GetTagItem("userkeyedjwt.result")} {a.GetTagItem("userkeyedjwt.failure_reason") ?? "-"}"));
        var validations = trace.Activities.Where(a => a.OperationName == "UserKeyedJwt.Validate").ToList();
        Assert.Equal([refreshes[0].SpanId, refreshes[1].SpanId], validations.Select(v => v.ParentSpanId));
        Assert.All(validations, v => Assert.Equal("refresh", v.GetTagItem("userkeyedjwt.purpose")));
    }

    [Fact]
    public async Task Prefetch_ValidAndRevokedTokens_ActivitiesSayPrefetchedAndTheReason()
    {
        using var f = new CoreFixture();
        using var trace = new TraceRecorder();
        var token = f.Issuer.Issue(f.AddUser()).Token;

        using (trace.Start())
        {
            Assert.True((await f.Handler.PrefetchAsync(token, f.Handler.CreateValidationParameters(), cancellationToken: Ct)).Succeeded);
            f.AddUser(stamp: "stamp-2");
            f.Cache.Invalidate("user-1");
            Assert.False((await f.Handler.PrefetchAsync(token, f.Handler.CreateValidationParameters(), cancellationToken: Ct)).Succeeded);
        }

        Assert.Equal(
            ["prefetched -", "failure key_inputs_changed"],
            trace.Activities.Select(a => $"{a.GetTagItem("userkeyedjwt.result")} {a.GetTagItem("userkeyedjwt.failure_reason") ?? "-"}"));
    }

    [Fact]
    public void ReasonTag_EveryFailureReason_IsItsNameInSnakeCase()
    {
        // docs/observability.md lists the tags as the names in snake case; "other" would mean a reason without a tag.
        Assert.All(Enum.GetValues<TokenFailureReason>(), reason =>
            Assert.Equal(System.Text.RegularExpressions.Regex.Replace(reason.ToString(), "(?<=.)([A-Z])", "_$1").ToLowerInvariant(), UserKeyedJwtMetrics.ReasonTag(reason)));
    }

    /// <summary>Records the library's activities under a parent of its own, so that tests running in parallel do not mix.</summary>
    private sealed class TraceRecorder : IDisposable
    {
        private const string ParentName = "UserKeyedJwt.Tests.Parent";
        private static readonly ActivitySource Parent = new(ParentName);
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private ActivityTraceId _trace;

        public TraceRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name is UserKeyedJwtDiagnostics.ActivitySourceName or ParentName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    if (a.TraceId == _trace && a.Source.Name == UserKeyedJwtDiagnostics.ActivitySourceName)
                    {
                        _stopped.Enqueue(a);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public List<Activity> Activities => [.. _stopped];

        public Activity Start()
        {
            var parent = Parent.StartActivity("test")!;
            _trace = parent.TraceId;
            return parent;
        }

        public void Dispose() => _listener.Dispose();
    }

    private sealed class NeverConnectedBus : IUserKeyInvalidationBus
    {
        public void Subscribe(IUserKeyInvalidationListener listener)
        {
        }

        public void Publish(string userId)
        {
        }
    }

    private sealed class FailingSource : IUserKeyInputsSource
    {
        public ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The database is down.");
    }
}
