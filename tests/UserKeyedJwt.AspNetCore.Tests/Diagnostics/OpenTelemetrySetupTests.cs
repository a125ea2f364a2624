using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace UserKeyedJwt.AspNetCore.Tests.Diagnostics;

[Collection(nameof(ProcessWideListenersCollection))]
public class OpenTelemetrySetupTests
{
    private const string TestSource = "UserKeyedJwt.AspNetCore.Tests.OpenTelemetry";

    [Fact]
    public async Task OpenTelemetry_TheDocumentedSetup_ExportsTheValidationMetricAndTrace()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "observability.md"));
        Assert.Contains(".WithMetrics(m => m.AddMeter(UserKeyedJwtDiagnostics.MeterName))", doc, StringComparison.Ordinal);
        Assert.Contains(".WithTracing(t => t.AddSource(UserKeyedJwtDiagnostics.ActivitySourceName))", doc, StringComparison.Ordinal);

        var metrics = new List<Metric>();
        var spans = new List<Activity>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        var users = new InMemoryUserKeyInputsSource();
        builder.Services.AddSingleton<IUserKeyInputsSource>(users);
        builder.Services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://issuer.test";
            o.Audience = "api.test";
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        });
        builder.Services.AddOpenTelemetry()
            .WithMetrics(m => m.AddMeter(UserKeyedJwtDiagnostics.MeterName).AddInMemoryExporter(metrics))
            .WithTracing(t => t.AddSource(UserKeyedJwtDiagnostics.ActivitySourceName, TestSource).AddInMemoryExporter(spans));
        await using var app = builder.Build();
        await app.StartAsync(TestContext.Current.CancellationToken);

        var user = new UserKeyInputs("user-1", "stamp-1", "hash-1");
        users.Set(user);
        var token = app.Services.GetRequiredService<UserKeyedTokenIssuer>().Issue(user).Token;
        users.Set(new UserKeyInputs("user-1", "stamp-2", "hash-1"));
        using var source = new ActivitySource(TestSource);
        ActivityTraceId trace;
        using (var test = source.StartActivity("test")!)
        {
            trace = test.TraceId;
            var result = await app.Services.GetRequiredService<UserKeyedTokenHandler>().ValidateAsync(token, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(TokenFailureReason.KeyInputsChanged, result.FailureReason);
        }

        Assert.True(app.Services.GetRequiredService<MeterProvider>().ForceFlush());
        var span = Assert.Single(spans, s => s.TraceId == trace && s.OperationName == "UserKeyedJwt.Validate");
        Assert.Equal("key_inputs_changed", span.GetTagItem("userkeyedjwt.failure_reason"));
        var validations = Assert.Single(metrics, m => m.Name == "userkeyedjwt.validations");
        var reasons = new List<object?>();
        foreach (ref readonly var point in validations.GetMetricPoints())
        {
            foreach (var tag in point.Tags)
            {
                if (tag.Key == "reason")
                {
                    reasons.Add(tag.Value);
                }
            }
        }

        Assert.Contains("key_inputs_changed", reasons);
        await app.StopAsync(TestContext.Current.CancellationToken);
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
}
