using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Diagnostics;

public class ObservabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Meter_ValidationsLookupsCacheAndIssuance_AreCountedWithReasons()
    {
        using var f = new CoreFixture();
        using var validations = new MetricCollector<long>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.validations");
        using var lookups = new MetricCollector<long>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.store.lookups");
        using var hits = new MetricCollector<long>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.key_cache.hits");
        using var misses = new MetricCollector<long>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.key_cache.misses");
        using var issued = new MetricCollector<long>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.tokens.issued");

        var token = f.Issuer.Issue(f.AddUser()).Token;
        await f.Handler.ValidateAsync(token, cancellationToken: Ct);
        await f.Handler.ValidateAsync(token, cancellationToken: Ct);
        await f.Handler.ValidateAsync("garbage", cancellationToken: Ct);
        f.AddUser(stamp: "stamp-2");
        await f.Handler.ValidateAsync(token, cancellationToken: Ct);

        var points = validations.GetMeasurementSnapshot();
        Assert.Equal(2, points.Count(m => (string?)m.Tags["result"] == "success"));
        Assert.Single(points, m => m.Tags.TryGetValue("reason", out var r) && (string?)r == "malformed");
        Assert.Single(points, m => m.Tags.TryGetValue("reason", out var r) && (string?)r == "key_inputs_changed");
        Assert.Equal(2, lookups.GetMeasurementSnapshot().Count(m => (string?)m.Tags["outcome"] == "found"));
        Assert.Single(hits.GetMeasurementSnapshot());
        Assert.Equal(2, misses.GetMeasurementSnapshot().Count);
        Assert.Equal("access", Assert.Single(issued.GetMeasurementSnapshot()).Tags["purpose"]);
    }

    [Fact]
    public async Task Logs_EveryReasonAtTrace_NeverCarrySecrets()
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        using var f = new CoreFixture(o => Validation.UserKeyedTokenHandlerTests.Use(o, secret));
        var user = f.AddUser(stamp: "STAMP-VALUE-42", hash: "AQAAAAHASHVALUE42");
        var token = f.Issuer.Issue(user).Token;
        var refresh = f.Issuer.Issue(user, purpose: TokenPurpose.Refresh).Token;

        await f.Handler.ValidateAsync(token, cancellationToken: Ct);
        await f.Handler.ValidateAsync(refresh, cancellationToken: Ct);
        await f.Handler.ValidateAsync(Tokens.WithPayloadClaim(token, "jti", "x"), cancellationToken: Ct);
        await f.Handler.ValidateAsync(Tokens.WithPayloadClaim(token, "sub", "other"), cancellationToken: Ct);
        f.AddUser(stamp: "STAMP-VALUE-43", hash: "AQAAAAHASHVALUE43");
        await f.Handler.ValidateAsync(token, cancellationToken: Ct);
        f.Users.Remove("user-1");
        f.Cache.Invalidate("user-1");
        await f.Handler.ValidateAsync(token, cancellationToken: Ct);

        var derived = UserKeyDerivation.DeriveKey(Convert.FromBase64String(secret), user, TokenPurpose.Access);
        var forbidden = new[]
        {
            token, token.Split('.')[2], refresh, secret, "STAMP-VALUE-4", "AQAAAAHASHVALUE4",
            Convert.ToHexString(derived), Convert.ToHexStringLower(derived), Convert.ToBase64String(derived),
            System.Buffers.Text.Base64Url.EncodeToString(derived),
        };
        var lines = f.Logs.GetSnapshot();
        Assert.NotEmpty(lines);
        Assert.Contains(lines, l => l.Level == LogLevel.Information && l.Message.Contains("KeyInputsChanged", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            var text = line.Message + " " + line.Exception;
            foreach (var value in forbidden)
            {
                Assert.DoesNotContain(value, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Log_EventIdsAndNames_AreUnique()
    {
        var attributes = typeof(Log).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .ToList();

        Assert.True(attributes.Count >= 10);
        Assert.Equal(attributes.Count, attributes.Select(a => a.EventId).Distinct().Count());
        Assert.Equal(attributes.Count, attributes.Select(a => a.EventName).Distinct().Count());
    }

    [Fact]
    public void SecretHoldingTypes_ToStringAndDebuggerDisplay_ShowNoSecret()
    {
        var material = new UserKeyInputs("user-1", "STAMP-SECRET", "HASH-SECRET");
        var key = UserKey.Derive(ServerSecretRing.Create(Options()).Active, material, TokenPurpose.Access, null, 0);
        var keyBytes = UserKeyDerivation.Expand(ServerSecretRing.Create(Options()).Active.Prk, material, TokenPurpose.Access);

        Assert.Contains("user-1", material.ToString(), StringComparison.Ordinal);
        foreach (var text in new[] { material.ToString(), key.ToString(), key.ToSecurityKey().ToString() })
        {
            Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(keyBytes), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(keyBytes), text, StringComparison.OrdinalIgnoreCase);
        }

        var secretOptions = new ServerSecretOptions { Id = "s1", Secret = "SECRET-base64" };
        Assert.DoesNotContain("SECRET", secretOptions.ToString(), StringComparison.Ordinal);

        foreach (var type in new[] { typeof(UserKeyInputs), typeof(UserKey), typeof(UserSecurityKey), typeof(ServerSecret), typeof(IssuedToken), typeof(ServerSecretOptions) })
        {
            var display = type.GetCustomAttribute<System.Diagnostics.DebuggerDisplayAttribute>();
            Assert.NotNull(display);
            var shown = System.Text.RegularExpressions.Regex.Matches(display.Value, "{([^}]*)}").Select(m => m.Groups[1].Value);
            Assert.All(shown, member => Assert.Contains(member, new[] { "UserId", "Purpose", "Id", "TokenId", "Secret.Id", "Key.Purpose" }));
        }
    }

    private static UserKeyedJwtOptions Options()
    {
        var o = new UserKeyedJwtOptions { Issuer = "i", Audience = "a" };
        o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = CoreFixture.NewSecret() });
        return o;
    }
}
