using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Adversarial;

/// <summary>
/// The user store fails while a genuine token is checked: it throws, hangs past the timeout, forgets the user, answers for
/// another user, or the user's stamp changes during the request. The request is never authenticated on what the store
/// could not vouch for, it never hangs, and once the store is well the same token is served again (or, after a stamp
/// change, never again). Faults are injected around the real Identity store on SQLite.
/// </summary>
public sealed class StoreFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public Task GetMe_StoreThrows_Returns401ThenRecovers() =>
        RunAsync((_, _, _) => throw new InvalidOperationException("store down"), expectRecovery: true);

    [Fact]
    public Task GetMe_StoreThrowsItsOwnOperationCanceled_Returns401ThenRecovers() =>
        RunAsync((_, _, _) => throw new OperationCanceledException("connection reset"), expectRecovery: true);

    [Fact]
    public Task GetMe_StoreHangsIgnoringCancellation_Returns401AtTheTimeoutThenRecovers() =>
        RunAsync(async (_, _, _) => await new TaskCompletionSource<UserKeyInputs?>().Task, expectRecovery: true);

    [Fact]
    public Task GetMe_StoreForgetsTheUser_Returns401ThenRecovers() =>
        RunAsync((_, _, _) => ValueTask.FromResult<UserKeyInputs?>(null), expectRecovery: true);

    [Fact]
    public Task GetMe_StoreAnswersForAnotherUser_Returns401ThenRecovers() =>
        RunAsync(async (id, read, _) => (await read()) is { } m ? new UserKeyInputs(id + "x", m.SecurityStamp, m.PasswordHash) : null, expectRecovery: true);

    [Fact]
    public async Task GetMe_StoreSlowButWithinTimeout_Returns200()
    {
        await using var app = SampleApp.Create(new Dictionary<string, string?> { ["UserKeyedJwt:StoreTimeout"] = "00:00:05" });
        var (api, user, token) = await SignInUncachedAsync(app);
        using (api)
        {
            app.Store!.Fault = async (_, read, ct) =>
            {
                await Task.Delay(50, ct);
                return await read();
            };

            Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
        }
    }

    [Fact]
    public async Task GetMe_StampRotatedAfterRequestArrivedBeforeRead_Returns401AndStays401()
    {
        await using var app = SampleApp.Create();
        var (api, user, token) = await SignInUncachedAsync(app);
        using (api)
        {
            app.Store!.Fault = async (id, read, _) =>
            {
                app.Store.Fault = null;
                await app.ChangeUserAsync(id, (users, u) => users.UpdateSecurityStampAsync(u));
                return await read();
            };

            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(api, token));
            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(api, token));
        }
    }

    [Fact]
    public async Task GetMe_StampRotatedWhileStaleReadInFlight_StaleKeyNeverCachedNextRequest401()
    {
        await using var app = SampleApp.Create();
        var (api, user, token) = await SignInUncachedAsync(app);
        using (api)
        {
            app.Store!.Fault = async (id, read, _) =>
            {
                app.Store.Fault = null;
                var stale = await read();
                await app.ChangeUserAsync(id, (users, u) => users.UpdateSecurityStampAsync(u));
                return stale;
            };

            // The in-flight request is decided on what the store said when it was read, before the change committed: it
            // is ordered before the revocation (docs/security.md). What must not happen is that stale read outliving it.
            var inFlight = await SendAsync(api, token);
            var readsBefore = app.Store.Reads;

            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(api, token));
            Assert.Equal(readsBefore + 1, app.Store.Reads);
            TestContext.Current.SendDiagnosticMessage($"in-flight request during the stamp change: {(int)inFlight}");
        }
    }

    private static async Task RunAsync(Func<string, Func<ValueTask<UserKeyInputs?>>, CancellationToken, ValueTask<UserKeyInputs?>> fault, bool expectRecovery)
    {
        await using var app = SampleApp.Create(new Dictionary<string, string?> { ["UserKeyedJwt:StoreTimeout"] = "00:00:00.500" });
        var (api, user, token) = await SignInUncachedAsync(app);
        using (api)
        {
            app.Store!.Fault = fault;
            var clock = Stopwatch.StartNew();

            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(api, token));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");

            app.Store.Fault = null;
            Assert.Equal(expectRecovery ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, await SendAsync(api, token));
        }
    }

    private static async Task<HttpStatusCode> SendAsync(Api api, string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/me", token).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        return response.StatusCode;
    }

    /// <summary>A signed-in user whose key is not cached, so the next request must read the store.</summary>
    private static async Task<(Api Api, TestUser User, string Token)> SignInUncachedAsync(SampleApp app)
    {
        var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        app.Services.GetRequiredService<IUserKeyCache>().Invalidate(user.Id);
        return (api, user, token);
    }
}
