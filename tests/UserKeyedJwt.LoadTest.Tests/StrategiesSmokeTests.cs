using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using UserKeyedJwt.Redis.Tests.Support;

namespace UserKeyedJwt.LoadTest.Tests;

/// <summary>
/// The load-test host (benchmarks/UserKeyedJwt.LoadTest) in memory, on a real SQLite file and a real redis-server: every
/// strategy's endpoint accepts its own token, and after the user is revoked refuses it wherever the strategy can revoke.
/// </summary>
public sealed class StrategiesSmokeTests : IAsyncLifetime
{
    // Endpoint, and which of the user's tokens it takes (scripts/loadtest.sh pairs them the same way).
    private static readonly (string Path, int Token)[] Endpoints = [("/me/static", Static), ("/me/db", Stamped), ("/me/denylist", Static), ("/me", Keyed)];

    private const int Keyed = 1;
    private const int Static = 2;
    private const int Stamped = 3;

    private readonly string _database = Path.Combine(Path.GetTempPath(), $"ukjwt-loadtest-tests-{Guid.NewGuid():N}.db");
    private RedisServer? _redis;
    private WebApplicationFactory<Program>? _host;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _host = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder
            .UseEnvironment("Development")
            .UseSetting("ConnectionStrings:Redis", _redis.Configuration)
            .UseSetting("ConnectionStrings:LoadTest", $"Data Source={_database}"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task EveryStrategy_AcceptsAValidToken_AndRefusesItAfterRevocationWhereItCan()
    {
        var client = _host!.CreateClient();
        var users = await CreateUsersAsync(client, 2);
        var (revoked, other) = (users[0], users[1]);

        foreach (var (path, token) in Endpoints)
        {
            Assert.Equal(revoked[0], await IdAsync(client, path, revoked[token]));
        }

        using (var revoke = new HttpRequestMessage(HttpMethod.Post, "/bench/revoke"))
        {
            revoke.Headers.Authorization = new AuthenticationHeaderValue("Bearer", revoked[Static]);
            Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(revoke, TestContext.Current.CancellationToken)).StatusCode);
        }

        // The static key cannot revoke: the revoked user's token still works until it expires. That is the hole it stands for.
        Assert.Equal(revoked[0], await IdAsync(client, "/me/static", revoked[Static]));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/me/db", revoked[Stamped]));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/me/denylist", revoked[Static]));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/me", revoked[Keyed]));

        // Revocation is the user's alone.
        foreach (var (path, token) in Endpoints)
        {
            Assert.Equal(other[0], await IdAsync(client, path, other[token]));
        }
    }

    [Fact]
    public async Task EveryStrategy_RefusesAnotherStrategysTokenAndATamperedOne()
    {
        var client = _host!.CreateClient();
        var user = (await CreateUsersAsync(client, 1))[0];

        // The database-read scheme needs the stamp digest: a token without it is refused, so the check really runs.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/me/db", user[Static]));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/me", user[Static]));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/me/static", user[Keyed]));
        foreach (var (path, token) in Endpoints)
        {
            var tampered = user[token][..^2] + (user[token][^2] == 'A' ? "B" : "A") + user[token][^1];
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, path, tampered));
        }
    }

    /// <summary>Each user as [id, keyed token, static token, stamped token].</summary>
    private static async Task<string[][]> CreateUsersAsync(HttpClient client, int count)
    {
        using var response = await client.PostAsync($"/bench/users?count={count}&tokens=keyed,static,stamped", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(count, lines.Length);
        return [.. lines.Select(line => line.Split('\t')).Select(fields => { Assert.Equal(4, fields.Length); return fields; })];
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static async Task<string?> IdAsync(HttpClient client, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Me>(TestContext.Current.CancellationToken))?.Id;
    }

    private sealed record Me(string Id);
}
