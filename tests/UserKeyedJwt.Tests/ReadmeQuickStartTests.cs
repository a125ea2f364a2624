using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.Tests;

/// <summary>The README's quick start, as written there, must keep working.</summary>
public class ReadmeQuickStartTests
{
    [Fact]
    public async Task QuickStart_StampRotation_RevokesTheToken()
    {
        var users = new InMemoryUserKeyInputsSource();
        var services = new ServiceCollection()
            .AddSingleton<IUserKeyInputsSource>(users)
            .AddUserKeyedJwt(o =>
            {
                o.Issuer = "https://auth.example.com";
                o.Audience = "api.example.com";
                o.ServerSecrets.Add(new() { Id = "2026-11", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
            });
        using var provider = services.BuildServiceProvider();
        var issuer = provider.GetRequiredService<UserKeyedTokenIssuer>();
        var handler = provider.GetRequiredService<UserKeyedTokenHandler>();

        var alice = new UserKeyInputs("alice", securityStamp: "stamp-1", passwordHash: "AQAAAA...");
        users.Set(alice);
        var token = issuer.Issue(alice).Token;
        Assert.True((await handler.ValidateAsync(token, cancellationToken: TestContext.Current.CancellationToken)).IsValid);

        users.Set(new UserKeyInputs("alice", "stamp-2", "AQAAAA..."));
        provider.GetRequiredService<IUserKeyCache>().Invalidate("alice");
        Assert.Equal(TokenFailureReason.KeyInputsChanged, (await handler.ValidateAsync(token, cancellationToken: TestContext.Current.CancellationToken)).FailureReason);
    }
}
