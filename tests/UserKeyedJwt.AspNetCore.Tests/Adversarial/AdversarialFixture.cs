using System.Net;
using System.Net.Http.Headers;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Adversarial;

/// <summary>
/// The sample app (real JwtBearer, Identity, SQLite) with two real users, Alice and Bob, their tokens, and their real
/// user keys, derived from the app's server secret and their stored key inputs the way the library does. Holding the real
/// key lets a test re-sign a hostile header or payload, so that the hostile part alone must cause the rejection.
/// </summary>
public sealed class AdversarialFixture : IAsyncLifetime
{
    // Production: the uniform challenge under test is the one clients outside Development get.
    public SampleApp App { get; } = SampleApp.Create(environment: "Production");

    public Api Api { get; private set; } = null!;

    public TestUser Alice { get; private set; } = null!;

    public TestUser Bob { get; private set; } = null!;

    public string AliceToken { get; private set; } = null!;

    public string BobToken { get; private set; } = null!;

    public byte[] AliceKey { get; private set; } = null!;

    public byte[] BobKey { get; private set; } = null!;

    public RecordingUserKeyInputsSource Store => App.Store!;

    public async ValueTask InitializeAsync()
    {
        Api = App.Api();
        Alice = await Api.NewUserAsync("alice");
        Bob = await Api.NewUserAsync("bob");
        AliceToken = await Api.LoginAsync(Alice);
        BobToken = await Api.LoginAsync(Bob);
        AliceKey = await App.KeyOfAsync(AliceToken);
        BobKey = await App.KeyOfAsync(BobToken);

        // The forge is only worth something if it signs exactly as the server does.
        Assert.Equal(AliceToken, Forge.Sign(Forge.Json(Forge.Parts(AliceToken)[0]), Forge.Json(Forge.Parts(AliceToken)[1]), AliceKey));
        Assert.Equal(HttpStatusCode.OK, await Api.MeStatusAsync(AliceToken));
    }

    /// <summary>
    /// Sends <paramref name="authorization"/> to <c>GET /me</c> under a time limit and asserts the uniform 401, then that
    /// the store was read at most <paramref name="maxReads"/> times, then that a valid token is still served.
    /// </summary>
    public async Task AssertRejectedAsync(string authorization, int maxReads = 0, string? because = null)
    {
        var readsBefore = Store.Reads;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", authorization.StartsWith("Bearer", StringComparison.Ordinal) ? authorization : "Bearer " + authorization);

        // Never a hang: a request that is not answered in time fails the test.
        using var response = await Api.Http.SendAsync(request, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{because}: {(int)response.StatusCode}");
        Assert.Equal(new AuthenticationHeaderValue("Bearer", "error=\"invalid_token\""), Assert.Single(response.Headers.WwwAuthenticate));
        var reads = Store.Reads - readsBefore;
        Assert.True(reads <= maxReads, $"{because}: {reads} user-store reads, at most {maxReads} allowed");
        Assert.Equal(HttpStatusCode.OK, await Api.MeStatusAsync(AliceToken));
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        await App.DisposeAsync();
    }
}
