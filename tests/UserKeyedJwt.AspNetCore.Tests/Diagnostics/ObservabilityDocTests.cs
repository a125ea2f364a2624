using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserKeyedJwt.EntityFrameworkCore;
using UserKeyedJwt.Redis;

namespace UserKeyedJwt.AspNetCore.Tests.Diagnostics;

/// <summary>
/// docs/observability.md against the code: what the packages publish is found by reflection and by listening, so a new
/// failure reason, log event, instrument or activity tag fails here until the page lists it.
/// </summary>
[Collection(nameof(ProcessWideListenersCollection))]
public partial class ObservabilityDocTests
{
    private static readonly Assembly[] Packages =
    [
        typeof(UserKeyedJwtOptions).Assembly,
        typeof(UserKeyedJwtDefaults).Assembly,
        typeof(UserKeyedJwtEntityFrameworkCoreOptions).Assembly,
        typeof(RedisUserKeyInvalidationBus).Assembly,
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Doc { get; } = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "observability.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

    [Fact]
    public void Doc_EveryFailureReason_IsListedWithItsTag()
    {
        var missing = Enum.GetValues<TokenFailureReason>()
            .Select(r => $"| `{r}` | `{SnakeCase().Replace(r.ToString(), "_$1").ToLowerInvariant()}` |")
            .Where(row => !Doc.Contains(row, StringComparison.Ordinal))
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Doc_EveryLogEventOfTheFourPackages_IsListedWithItsNameLevelAndMessage()
    {
        var events = Packages
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .ToList();

        Assert.True(events.Count >= 40, $"Found only {events.Count} log events: the reflection no longer sees them.");
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        var missing = events
            .Select(e => $"| {e.EventId} | `{e.EventName}` | {e.Level} | {e.Message} |")
            .Where(row => !Doc.Contains(row, StringComparison.Ordinal))
            .ToList();
        Assert.Empty(missing);

        // And the page lists no event that the code no longer has.
        var documented = LogRow().Matches(Doc).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(documented.Except(events.Select(e => e.EventId)));
    }

    [Fact]
    public async Task Doc_EveryInstrumentActivityAndTag_IsListed()
    {
        await using var provider = Services();
        var instruments = new ConcurrentDictionary<string, string>();
        using var meters = new MeterListener();
        var factory = provider.GetRequiredService<IMeterFactory>();
        meters.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == UserKeyedJwtDiagnostics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                instruments[instrument.Name] = $"| `{instrument.Name}` | {instrument.GetType().Name.Split('`')[0]} | `{instrument.Unit}` |";
            }
        };
        meters.Start();
        var activities = new ConcurrentQueue<Activity>();
        using var parent = new ActivitySource("UserKeyedJwt.AspNetCore.Tests.Doc");
        using var tracing = new ActivityListener
        {
            ShouldListenTo = s => s.Name is UserKeyedJwtDiagnostics.ActivitySourceName or "UserKeyedJwt.AspNetCore.Tests.Doc",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(tracing);

        // The services publish their instruments when they are created; a sign-in, a refresh and a bad token start activities.
        var users = (InMemoryUserKeyInputsSource)provider.GetRequiredService<IUserKeyInputsSource>();
        var user = new UserKeyInputs("user-1", "stamp-1", "hash-1");
        users.Set(user);
        var sessions = provider.GetRequiredService<UserKeyedSessions>();
        ActivityTraceId trace;
        using (var test = parent.StartActivity("test")!)
        {
            trace = test.TraceId;
            var tokens = await sessions.StartAsync(user, cancellationToken: Ct);
            Assert.True((await sessions.RefreshAsync(tokens.RefreshToken.Token, cancellationToken: Ct)).Succeeded);
            Assert.False((await provider.GetRequiredService<UserKeyedTokenHandler>().ValidateAsync("garbage", cancellationToken: Ct)).IsValid);
        }

        var ours = activities.Where(a => a.TraceId == trace && a.Source.Name == UserKeyedJwtDiagnostics.ActivitySourceName).ToList();
        Assert.True(instruments.Count == 14, $"Instruments: {string.Join(", ", instruments.Keys.Order(StringComparer.Ordinal))}.");
        Assert.True(ours.Count == 3, $"Activities of the test's trace: {string.Join(", ", ours.Select(a => a.OperationName))}.");
        var names = ours.Select(a => a.OperationName).Concat(ours.SelectMany(a => a.TagObjects.Select(t => t.Key))).Distinct();
        var undocumented = instruments.Values.Where(row => !Doc.Contains(row, StringComparison.Ordinal))
            .Concat(names.Where(name => !Doc.Contains($"| `{name}` |", StringComparison.Ordinal)))
            .ToList();
        Assert.Empty(undocumented);

        // And the page lists no instrument that the code no longer publishes.
        Assert.Empty(InstrumentRow().Matches(Doc).Select(m => m.Groups[1].Value).Except(instruments.Keys));
    }

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddLogging();
        services.AddSingleton<IUserKeyInputsSource>(new InMemoryUserKeyInputsSource());
        services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://issuer.test";
            o.Audience = "api.test";
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) });
        });
        services.AddUserKeyedJwtSessions();

        // Nothing listens on port 1: the bus stays disconnected, but publishes its instruments and the cache its gauge.
        services.AddUserKeyedJwtRedisInvalidation(o =>
        {
            o.Configuration = "127.0.0.1:1";
            o.Timeout = TimeSpan.FromMilliseconds(200);
        });
        return services.BuildServiceProvider();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "UserKeyedJwt.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No UserKeyedJwt.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex("(?<=.)([A-Z])")]
    private static partial Regex SnakeCase();

    [GeneratedRegex(@"^\| (\d+) \| `", RegexOptions.Multiline)]
    private static partial Regex LogRow();

    [GeneratedRegex(@"^\| `(userkeyedjwt\.[a-z_.]+)` \| (?:Observable)?(?:Counter|UpDownCounter|Gauge|Histogram) \|", RegexOptions.Multiline)]
    private static partial Regex InstrumentRow();
}
