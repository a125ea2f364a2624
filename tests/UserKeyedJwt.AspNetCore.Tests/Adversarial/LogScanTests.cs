using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Adversarial;

/// <summary>
/// The suite-wide log scan (every <see cref="SampleApp"/> scans its Trace-level logs when disposed) can fail: each kind of
/// secret, once logged, is found.
/// </summary>
public sealed class LogScanTests
{
    public enum Leak
    {
        ServerSecret,
        Token,
        TokenSignature,
        PasswordHash,
        SecurityStamp,
        DerivedKey,
        KeyThumbprint,
    }

    [Theory]
    [InlineData(Leak.ServerSecret)]
    [InlineData(Leak.Token)]
    [InlineData(Leak.TokenSignature)]
    [InlineData(Leak.PasswordHash)]
    [InlineData(Leak.SecurityStamp)]
    [InlineData(Leak.DerivedKey)]
    [InlineData(Leak.KeyThumbprint)]
    public async Task DisposeAsync_SecretLoggedAtTrace_ThrowsNamingWhereNotWhat(Leak leak)
    {
        var app = SampleApp.Create();
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        var material = (await app.Services.GetRequiredService<IUserKeyInputsSource>().FindAsync(user.Id, TestContext.Current.CancellationToken))!;
        var key = await app.KeyOfAsync(token);
        var secret = leak switch
        {
            Leak.ServerSecret => app.ServerSecret,
            Leak.Token => token,
            Leak.TokenSignature => token.Split('.')[2],
            Leak.PasswordHash => material.PasswordHash!,
            Leak.SecurityStamp => material.SecurityStamp!,
            Leak.DerivedKey => Convert.ToHexString(key),
            _ => System.Buffers.Text.Base64Url.EncodeToString(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(key).ComputeJwkThumbprint()),
        };
        Assert.Empty(app.FindSecretLeaks());

        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Some.Careless.Component").LogTrace("value: {Value}", "[" + secret + "]");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.DisposeAsync().AsTask());
        Assert.Contains("Some.Careless.Component", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
    }
}
