using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using UserKeyedJwt.Redis.Tests.Support;

namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// Three sample nodes as real processes on loopback ports, sharing one PostgreSQL database (the users, the sessions and the
/// <c>jti</c> denylist) and one real <c>redis-server</c> (the key-cache invalidation bus only), with the same server secret,
/// the admin account seeded, configured by environment only. The three start at the same moment against the empty
/// database. Requests go through <see cref="SampleApi"/>, the one place that knows the sample's routes. What a node did
/// (store reads, validations, bus state) is read from its log (<see cref="NodeLog"/>). On dispose the nodes are killed and
/// their output scanned for secrets.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    public const string AdminEmail = "admin@scale.test";
    public const int NodeCount = 3;

    private readonly PostgresServer _postgres;
    private readonly ConcurrentBag<string> _tokens = [];
    private readonly ConcurrentBag<string> _passwords = [];
    private readonly ConcurrentDictionary<string, UserKeyedSession> _sessions = new(StringComparer.Ordinal);
    private string? _adminToken;

    private Cluster(PostgresServer postgres, RedisServer redis, string database, string serverSecret, string adminPassword)
    {
        _postgres = postgres;
        Redis = redis;
        Database = database;
        ServerSecret = serverSecret;
        AdminPassword = adminPassword;
        _passwords.Add(adminPassword);
    }

    public RedisServer Redis { get; }

    public string Database { get; }

    public string ServerSecret { get; }

    public string AdminPassword { get; }

    public IReadOnlyList<SampleNode> Nodes { get; private set; } = [];

    public PostgresServer Postgres => _postgres;

    /// <summary>How long the concurrent start of the three nodes took, until all answered.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>
    /// Starts Redis, then the three nodes at once against an empty database: one created here, or, with
    /// <paramref name="createDatabase"/> false, one that does not exist yet, which the nodes must create.
    /// </summary>
    public static async Task<Cluster> StartAsync(PostgresServer postgres, IReadOnlyDictionary<string, string>? settings = null, bool createDatabase = true)
    {
        var redis = await RedisServer.StartAsync();
        Cluster? cluster = null;
        try
        {
            var database = createDatabase ? await postgres.CreateDatabaseAsync() : postgres.NewDatabaseName();
            cluster = new Cluster(postgres, redis, database, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), NewPassword());
            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["UserKeyedJwt__ServerSecrets__0__Id"] = "scale",
                ["UserKeyedJwt__ServerSecrets__0__Secret"] = cluster.ServerSecret,
                ["ConnectionStrings__Users"] = postgres.ConnectionString(database),
                ["ConnectionStrings__Redis"] = redis.Configuration,
                ["Sample__Admin__Email"] = AdminEmail,
                ["Sample__Admin__Password"] = cluster.AdminPassword,
                // Trials log in and change passwords: cheap PBKDF2 keeps their time on revocation, not on hashing.
                ["Identity__PasswordHasher__IterationCount"] = "1000",
                // Everything the library logs reaches the output, so the scan on dispose sees it all.
                ["Logging__LogLevel__UserKeyedJwt"] = "Trace",
                // Each request's path is logged, which SampleNode.ReadOutputAsync uses to know the output is read up to now.
                ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
                ["Logging__Console__FormatterName"] = "simple",
                ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                environment[key] = value;
            }

            cluster.Nodes = [.. Enumerable.Range(1, NodeCount).Select(i => new SampleNode($"node{i}", Processes.FreePort(), environment))];
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(cluster.Nodes.Select(n => n.StartAsync()));
            await Task.WhenAll(cluster.Nodes.Select(n => WaitForBusAsync(n, connected: true)));
            cluster.StartupTime = clock.Elapsed;
            return cluster;
        }
        catch
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
            else
            {
                await redis.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>A password Identity accepts (length 10+, upper, lower, digit, symbol), random so the log scan can look for it.</summary>
    public static string NewPassword() => "Pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + "-x9";

    public async Task<User> RegisterAsync(SampleNode node, string? email = null)
    {
        email ??= $"user-{Guid.NewGuid():N}@scale.test";
        var password = NewPassword();
        _passwords.Add(password);
        using var response = await node.Client.PostAsJsonAsync(SampleApi.Register, SampleApi.CredentialsBody(email, password), Ct);
        await EnsureAsync(response, SampleApi.RegisterStatus, "register");
        var id = Assert.Single(await _postgres.QueryAsync(Database, SampleApi.UserIdQuery(email)));
        return new User(id, email, password);
    }

    /// <summary>Logs in (a new session); returns the access token.</summary>
    public async Task<string> LoginAsync(SampleNode node, string email, string password) => (await LoginPairAsync(node, email, password)).Access;

    public Task<string> LoginAsync(SampleNode node, User user) => LoginAsync(node, user.Email, user.Password);

    /// <summary>Logs in (a new session); returns its first pair.</summary>
    public async Task<Pair> LoginPairAsync(SampleNode node, string email, string password)
    {
        using var response = await node.Client.PostAsJsonAsync(SampleApi.Login, SampleApi.CredentialsBody(email, password), Ct);
        await EnsureAsync(response, HttpStatusCode.OK, "login");
        return Remember(await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    public Task<Pair> LoginPairAsync(SampleNode node, User user) => LoginPairAsync(node, user.Email, user.Password);

    /// <summary>Redeems the refresh token: the status, and the next pair on 200.</summary>
    public async Task<(HttpStatusCode Status, Pair? Pair)> RefreshAsync(SampleNode node, string refreshToken)
    {
        using var response = await node.Client.PostAsJsonAsync(SampleApi.Refresh, SampleApi.RefreshBody(refreshToken), Ct);
        return response.StatusCode == HttpStatusCode.OK
            ? (response.StatusCode, Remember(await response.Content.ReadFromJsonAsync<JsonElement>(Ct)))
            : (response.StatusCode, null);
    }

    /// <summary>The <c>sid</c> claim of a session's token (read, not verified: the test only needs the id).</summary>
    public static string SessionId(string token) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1])).RootElement.GetProperty("sid").GetString()!;

    public async Task<string> AdminTokenAsync() => _adminToken ??= await LoginAsync(Nodes[0], AdminEmail, AdminPassword);

    /// <summary>An authenticated GET with the token (<see cref="SampleApi.Me"/>): the status code only.</summary>
    public static async Task<HttpStatusCode> MeAsync(SampleNode node, string token)
    {
        using var response = await SendAsync(node, HttpMethod.Get, SampleApi.Me, token, null);
        return response.StatusCode;
    }

    public async Task ChangePasswordAsync(SampleNode node, string token, User user)
    {
        var newPassword = NewPassword();
        _passwords.Add(newPassword);
        using var response = await SendAsync(node, HttpMethod.Post, SampleApi.ChangePassword, token, SampleApi.ChangePasswordBody(user.Password, newPassword));
        await EnsureAsync(response, SampleApi.ChangePasswordStatus, "change password");
        user.Password = newPassword;
    }

    /// <summary>The user's own "log out everywhere": every session of the user ends.</summary>
    public static async Task LogoutAllAsync(SampleNode node, string token)
    {
        using var response = await SendAsync(node, HttpMethod.Post, SampleApi.LogoutAll, token, null);
        await EnsureAsync(response, SampleApi.LogoutStatus, "logout-all");
    }

    /// <summary>The caller's session ends; the user's others stay.</summary>
    public static async Task LogoutAsync(SampleNode node, string token)
    {
        using var response = await SendAsync(node, HttpMethod.Post, SampleApi.Logout, token, null);
        await EnsureAsync(response, SampleApi.LogoutStatus, "logout");
    }

    /// <summary>Every other session of the caller's user ends; the caller's stays as it is.</summary>
    public static async Task LogoutOthersAsync(SampleNode node, string token)
    {
        using var response = await SendAsync(node, HttpMethod.Post, SampleApi.LogoutOthers, token, null);
        await EnsureAsync(response, SampleApi.LogoutStatus, "logout-others");
    }

    /// <summary>The user ends one of their sessions by id, with a token of any of them.</summary>
    public static async Task EndSessionAsync(SampleNode node, string token, string sessionId)
    {
        using var response = await SendAsync(node, HttpMethod.Delete, SampleApi.Session(sessionId), token, null);
        await EnsureAsync(response, SampleApi.EndSessionStatus, "end session");
    }

    /// <summary>The admin's "revoke all of this user's tokens": the stamp rotates.</summary>
    public async Task AdminRevokeAsync(SampleNode node, User user)
    {
        using var response = await SendAsync(node, HttpMethod.Post, SampleApi.AdminRevoke(user.Id), await AdminTokenAsync(), null);
        await EnsureAsync(response, SampleApi.AdminStatus, "admin revoke");
    }

    /// <summary>The admin ends every session of the user.</summary>
    public async Task AdminEndSessionsAsync(SampleNode node, User user)
    {
        using var response = await SendAsync(node, HttpMethod.Delete, SampleApi.AdminSessions(user.Id), await AdminTokenAsync(), null);
        await EnsureAsync(response, SampleApi.AdminStatus, "admin end sessions");
    }

    /// <summary>
    /// Reads the sessions in the database now, so that the log scan on dispose looks for their secrets and keys too (an
    /// ended session's row is gone by then).
    /// </summary>
    public async Task RememberSessionsAsync()
    {
        foreach (var row in await _postgres.QueryAsync(Database, "SELECT \"Id\", \"UserId\", \"Secret\" FROM \"UserKeyedSessions\""))
        {
            var f = row.Split('|');
            _sessions.TryAdd(f[0], new UserKeyedSession(f[0], f[1], f[2], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, 0, null));
        }
    }

    /// <summary>
    /// Waits until the node logs its invalidation bus <paramref name="connected"/> (event 1013: connected, the key cache in
    /// use) and returns how long that took; throws after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<TimeSpan> WaitForBusAsync(SampleNode node, bool connected, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var clock = Stopwatch.StartNew();
        while (node.BusConnected != connected)
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{node.Name}: the invalidation bus was not logged connected={connected} within {limit}. Its output:\n{node.Tail()}");
            }

            await Task.Delay(10, Ct);
        }

        return clock.Elapsed;
    }

    /// <summary>The node's store reads and validations so far, counted in its log.</summary>
    public static async Task<NodeLog.Counts> CountAsync(SampleNode node) => NodeLog.Count(await node.ReadOutputAsync());

    public async ValueTask DisposeAsync()
    {
        string[] stored = [];
        try
        {
            stored = await _postgres.QueryAsync(Database, "SELECT \"Id\", \"SecurityStamp\", \"PasswordHash\" FROM \"AspNetUsers\"");
            await RememberSessionsAsync();
        }
        catch (InvalidOperationException)
        {
            // No schema: the nodes never got that far.
        }

        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        await Redis.DisposeAsync();

        var materials = stored.Select(row => row.Split('|')).Select(f => new UserKeyInputs(f[0], NullIfEmpty(f[1]), NullIfEmpty(f[2]))).ToList();
        var secrets = LogScan.Secrets(ServerSecret, _passwords, _tokens, materials, _sessions.Values).ToList();
        var leaks = Nodes.SelectMany(n => LogScan.FindLeaks(n.Name, [.. n.Output], secrets)).ToList();
        if (leaks.Count > 0)
        {
            throw new InvalidOperationException("Secrets reached the nodes' output:\n" + string.Join('\n', leaks));
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private Pair Remember(JsonElement body)
    {
        var pair = SampleApi.ReadPair(body);
        _tokens.Add(pair.Access);
        _tokens.Add(pair.Refresh);
        return pair;
    }

    private static async Task<HttpResponseMessage> SendAsync(SampleNode node, HttpMethod method, string path, string token, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await node.Client.SendAsync(request, Ct);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            var body = LogScan.Redact(await response.Content.ReadAsStringAsync(Ct));
            throw new InvalidOperationException($"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        }
    }

    /// <summary>A session's access and refresh tokens, as login and refresh hand them out.</summary>
    public sealed record Pair(string Access, string Refresh)
    {
        // Never the tokens: a failed assertion prints its values.
        public override string ToString() => $"pair of session {SessionId(Access)}";
    }

    public sealed class User(string id, string email, string password)
    {
        public string Id { get; } = id;

        public string Email { get; } = email;

        public string Password { get; set; } = password;
    }
}
