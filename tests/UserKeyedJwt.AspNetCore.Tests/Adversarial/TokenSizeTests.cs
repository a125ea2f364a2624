using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Adversarial;

/// <summary>
/// Oversized tokens are refused on their length, before any parsing, at <c>UserKeyedJwt:MaxTokenLength</c> (8192 by
/// default). The tokens carry a correct signature under the real key, so their size is the only thing wrong with them.
/// TestServer has no header-size limit (Kestrel's 32 KB default would refuse 64 KB and 1 MB headers with 431 first), so
/// all three sizes reach JwtBearer and the handler here; the 1 MB case is also run against the handler directly.
/// </summary>
public sealed class TokenSizeTests(AdversarialFixture f) : IClassFixture<AdversarialFixture>
{
    [Theory]
    [InlineData(8 * 1024 + 1)]
    [InlineData(64 * 1024)]
    [InlineData(1024 * 1024)]
    public async Task GetMe_SignedTokenPastDefaultLimit_Returns401WithoutStoreRead(int length)
    {
        var token = SignedOfLength(f, length);

        await f.AssertRejectedAsync(token, maxReads: 0, because: $"{length} characters");
    }

    [Fact]
    public async Task GetMe_SignedTokenExactlyAtDefaultLimit_Returns200()
    {
        // The boundary: the same construction one character shorter than the smallest refused size is served.
        Assert.Equal(HttpStatusCode.OK, await f.Api.MeStatusAsync(SignedOfLength(f, 8 * 1024)));
    }

    [Fact]
    public async Task GetMe_LimitRaisedTo64KiB_Serves64KiBTokenAndRefuses1MiB()
    {
        await using var app = SampleApp.Create(new Dictionary<string, string?> { ["UserKeyedJwt:MaxTokenLength"] = "65536" });
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        var key = await app.KeyOfAsync(token);

        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(Pad(token, key, 64 * 1024)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(Pad(token, key, 64 * 1024 + 1)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(Pad(token, key, 1024 * 1024)));
    }

    [Fact]
    public async Task ValidateAsync_OneMebibyteToken_RejectedAsMalformedWithoutStoreRead()
    {
        var handler = f.App.Services.GetRequiredService<UserKeyedTokenHandler>();
        var token = SignedOfLength(f, 1024 * 1024);
        var reads = f.Store.Reads;
        _ = await handler.ValidateAsync(f.AliceToken, cancellationToken: TestContext.Current.CancellationToken);

        var clock = Stopwatch.StartNew();
        var result = await handler.ValidateAsync(token, cancellationToken: TestContext.Current.CancellationToken);
        clock.Stop();

        Assert.Equal(TokenFailureReason.Malformed, result.FailureReason);
        Assert.Equal(reads, f.Store.Reads);
        TestContext.Current.SendDiagnosticMessage($"1 MiB token rejected in {clock.Elapsed.TotalMicroseconds:F0} µs");
    }

    private static string SignedOfLength(AdversarialFixture f, int length) => Pad(f.AliceToken, f.AliceKey, length);

    /// <summary>
    /// The token with a filler claim, re-signed, exactly <paramref name="length"/> characters long. Base64url can't make
    /// every length from the filler alone, so insignificant whitespace in the payload JSON fine-tunes it (the header must
    /// stay byte for byte the issuer's).
    /// </summary>
    internal static string Pad(string token, byte[] key, int length)
    {
        var header = Forge.Json(Forge.Parts(token)[0]);
        var payload = Forge.Payload(token);
        payload["pad"] = "";
        var estimate = Math.Max(0, (length - Forge.Sign(header, payload.ToJsonString(Forge.AsIssued), key).Length) * 3 / 4);
        for (var spaces = 0; spaces < 3; spaces++)
        {
            for (var filler = Math.Max(0, estimate - 4); filler <= estimate + 4; filler++)
            {
                payload["pad"] = new string('x', filler);
                var padded = Forge.Sign(header, payload.ToJsonString(Forge.AsIssued).Insert(1, new string(' ', spaces)), key);
                if (padded.Length == length)
                {
                    return padded;
                }
            }
        }

        throw new InvalidOperationException($"No padding gives {length} characters.");
    }
}
