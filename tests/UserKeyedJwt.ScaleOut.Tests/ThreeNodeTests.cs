using System.Diagnostics;
using System.Net;
using UserKeyedJwt.ScaleOut.Tests.Support;

namespace UserKeyedJwt.ScaleOut.Tests;

/// <summary>
/// Three sample processes sharing one PostgreSQL database (users and sessions) and one Redis (the invalidation bus), started
/// together against a database that does not exist yet (one cluster for the class, see <see cref="SharedCluster"/>).
/// Revocation trials: a user's token is cached on nodes 2 and 3, a change on node 1 revokes it (a password change, the
/// user's own logout-all, an admin's revoke, a logout, the session ended by id from another session), and nodes 2 and 3 are
/// polled with the old token until they answer 401; the latency runs from the change's response to the first 401. The
/// fault runs are in ThreeNodeTests.Faults.cs, the refresh races in ThreeNodeTests.Sessions.cs.
/// </summary>
public sealed partial class ThreeNodeTests(SharedPostgres postgres, SharedCluster shared) : IClassFixture<SharedCluster>
{
    private const int Trials = 200;
    private const int WarmUpTrials = 20;
    private const int UserCount = 8;
    private const int SteadyRequestsPerNode = 200;

    // How long a revocation may take to reach the other nodes: the trials' p99, and each single revocation of the other runs.
    // The goal is 100 ms at p99 (docs/scale-out.md has the figures); ten times that keeps a loaded 2-core machine from flaking,
    // and a lost message still fails, since the key cache would then keep the old key for KeyCacheTtl (1 minute).
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    // How long one trial's poll goes on before it counts as never refused: past the bound, to measure how late a late one is.
    private static readonly TimeSpan PollLimit = TimeSpan.FromSeconds(5);

    private enum Change
    {
        PasswordChange,
        LogoutAll,
        AdminRevoke,
        Logout,
        EndSessionById,
    }

    [Fact]
    public async Task ChangeOnNode1_OldTokenCachedOnNodes2And3_RejectedThere_P99WithinTheBound()
    {
        var cluster = await shared.GetAsync(postgres);
        var (node1, node2, node3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        var users = new List<Cluster.User>();
        for (var i = 0; i < UserCount; i++)
        {
            users.Add(await cluster.RegisterAsync(cluster.Nodes[i % Cluster.NodeCount]));
        }

        await cluster.AdminTokenAsync();
        var changes = Enum.GetValues<Change>();

        // Warm-up, reported apart: a node that just started (or restarted, after the fault run) runs its first requests on
        // unoptimised code while the JIT recompiles the hot paths, on the same two cores.
        var warmUp = new List<(int Trial, Change Change, Poll Poll)>();
        for (var trial = 0; trial < WarmUpTrials; trial++)
        {
            await TrialAsync(cluster, users[trial % UserCount], changes[trial % changes.Length], trial, warmUp, []);
        }

        var before = await Task.WhenAll(cluster.Nodes.Select(Cluster.CountAsync));
        var polls = new List<(int Trial, Change Change, Poll Poll)>();
        var rejections = new List<double>();
        var clock = Stopwatch.StartNew();
        for (var trial = 0; trial < Trials; trial++)
        {
            await TrialAsync(cluster, users[trial % UserCount], changes[trial % changes.Length], trial, polls, rejections);
        }

        var trialTime = clock.Elapsed;
        var afterTrials = await Task.WhenAll(cluster.Nodes.Select(Cluster.CountAsync));

        // Steady state: valid tokens of every user, round robin on each node. With the invalidation bus connected the
        // key cache is in use: at most one store read per user and node, however many requests.
        var tokens = new List<string>();
        foreach (var user in users)
        {
            tokens.Add(await cluster.LoginAsync(node1, user));
        }

        for (var i = 0; i < SteadyRequestsPerNode; i++)
        {
            foreach (var node in cluster.Nodes)
            {
                Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, tokens[i % tokens.Count]));
            }
        }

        var afterSteady = await Task.WhenAll(cluster.Nodes.Select(Cluster.CountAsync));

        var all = polls.Select(p => p.Poll.Latency.TotalMilliseconds).Order().ToList();
        var p99 = Results.Percentile(all, 0.99);
        var results = new Results("revocation-trials");
        results.Line($"Revocation latency across 3 nodes (PostgreSQL {(await postgres.GetAsync()).Version}, Redis, {Environment.ProcessorCount} cores, sample built {Configuration}).");
        results.Line($"{Trials} trials ({polls.Count} latencies: nodes 2 and 3 each trial) in {trialTime.TotalSeconds:F1} s, after {WarmUpTrials} warm-up trials reported apart; cluster start {cluster.StartupTime.TotalSeconds:F1} s.");
        Report(results, "all changes", all);
        foreach (var change in changes)
        {
            Report(results, change.ToString(), [.. polls.Where(p => p.Change == change).Select(p => p.Poll.Latency.TotalMilliseconds)]);
        }

        Report(results, "one 401 alone", rejections);
        Report(results, "warm-up", warmUp.Select(p => p.Poll.Latency.TotalMilliseconds));
        results.Line($"Old-token answers 200 after the change's response: {polls.Sum(p => p.Poll.Accepted)} (over {polls.Count} polls; a poll that beat the message).");
        results.Line($"Slowest: {string.Join("; ", polls.OrderByDescending(p => p.Poll.Latency).Take(5).Select(p => $"trial {p.Trial} {p.Change} {p.Poll.Node} {p.Poll.Latency.TotalMilliseconds:F1} ms ({p.Poll.Accepted} answers 200, the 401 itself {p.Poll.Last.TotalMilliseconds:F1} ms)"))}.");
        for (var i = 0; i < Cluster.NodeCount; i++)
        {
            results.Line($"{cluster.Nodes[i].Name} trials: {PerRequest(afterTrials[i] - before[i])}");
            results.Line($"{cluster.Nodes[i].Name} steady ({SteadyRequestsPerNode} requests, {UserCount} users): {PerRequest(afterSteady[i] - afterTrials[i])}");
        }

        results.Save();

        Assert.True(p99 < Bound.TotalMilliseconds, $"Revocation p99 across nodes {p99:F1} ms, over {Bound.TotalMilliseconds} ms.");

        // The trials tested cached keys: nodes 2 and 3 answered at least each trial's second warm-up request from cache (every
        // token here is genuine, so a validation that read nothing used a cached key).
        foreach (var i in new[] { 1, 2 })
        {
            var trials = afterTrials[i] - before[i];
            Assert.True(trials.Validations - trials.StoreReads >= Trials, $"{cluster.Nodes[i].Name}: {trials}");
        }

        // And with the bus up, the cache is used: a store read per user and node at most, not one per request.
        for (var i = 0; i < Cluster.NodeCount; i++)
        {
            var steady = afterSteady[i] - afterTrials[i];
            Assert.Equal(SteadyRequestsPerNode, steady.Validated);
            Assert.Equal(0, steady.Rejected);
            Assert.InRange(steady.StoreReads, 0, UserCount);
        }
    }

    /// <summary>
    /// One trial: a token of <paramref name="user"/> cached on nodes 2 and 3, the change on node 1, then nodes 2 and 3 polled
    /// until they refuse it; once refused, refused everywhere.
    /// </summary>
    private static async Task TrialAsync(Cluster cluster, Cluster.User user, Change change, int trial, List<(int Trial, Change Change, Poll Poll)> polls, List<double> rejections)
    {
        var (node1, node2, node3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        var token = await cluster.LoginAsync(node1, user);

        // Warm: twice on nodes 2 and 3, so the second request is answered from their key cache.
        foreach (var node in new[] { node2, node2, node3, node3, node1 })
        {
            Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, token));
        }

        var other = change == Change.EndSessionById ? await cluster.LoginAsync(node1, user) : null;
        switch (change)
        {
            case Change.PasswordChange:
                await cluster.ChangePasswordAsync(node1, token, user);
                break;
            case Change.LogoutAll:
                await Cluster.LogoutAllAsync(node1, token);
                break;
            case Change.AdminRevoke:
                await cluster.AdminRevokeAsync(node1, user);
                break;
            case Change.Logout:
                await Cluster.LogoutAsync(node1, token);
                break;
            default:
                // From another device of the user: the lost phone's session ends, the laptop's stays.
                await Cluster.EndSessionAsync(node1, other!, Cluster.SessionId(token));
                break;
        }

        var changed = Stopwatch.GetTimestamp();
        foreach (var poll in await Task.WhenAll(PollUntilRejectedAsync(node2, token, changed), PollUntilRejectedAsync(node3, token, changed)))
        {
            Assert.True(poll.Refused, $"Trial {trial} ({change}): {poll.Node} still accepted the old token {poll.Latency.TotalMilliseconds:F1} ms after the change's response ({poll.Accepted} answers 200).");
            polls.Add((trial, change, poll));
        }

        // Once rejected, rejected everywhere, node 1 included. On nodes 2 and 3 these requests are timed: what a poll that
        // answers 401 costs by itself, a floor under the latencies above.
        foreach (var node in cluster.Nodes)
        {
            var sent = Stopwatch.GetTimestamp();
            Assert.Equal(HttpStatusCode.Unauthorized, await Cluster.MeAsync(node, token));
            if (node != node1)
            {
                rejections.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        }

        // Ending one session by id spares the user's other one, on every node.
        if (other is not null)
        {
            foreach (var node in cluster.Nodes)
            {
                Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, other));
            }
        }
    }

    [Fact]
    public async Task StartedTogetherWithoutADatabase_AllServe_DatabaseSchemaAndAdminCreatedOnce()
    {
        var cluster = await shared.GetAsync(postgres);
        Assert.Equal("1", Assert.Single(await cluster.Postgres.QueryAsync("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{cluster.Database}'")));

        Assert.Equal("1", Assert.Single(await cluster.Postgres.QueryAsync(cluster.Database, "SELECT count(*) FROM \"AspNetUsers\" WHERE \"NormalizedEmail\" = 'ADMIN@SCALE.TEST'")));
        Assert.Equal("1", Assert.Single(await cluster.Postgres.QueryAsync(cluster.Database, "SELECT count(*) FROM \"AspNetRoles\" WHERE \"NormalizedName\" = 'ADMIN'")));
        foreach (var node in cluster.Nodes)
        {
            Assert.Contains(node.Output, l => l.Contains("Users: PostgreSQL", StringComparison.Ordinal));
            Assert.Contains(node.Output, l => l.Contains("Holding the schema lock", StringComparison.Ordinal));
        }

        // One node created the admin; the two others waited for the lock and found it. (The database and the schema: had two
        // nodes created either, the loser would have failed to start.)
        Assert.Single(cluster.Nodes, n => n.Output.Any(l => l.Contains("[9002]", StringComparison.Ordinal)));

        // Each node's tokens are accepted by the next one: same secret, same users.
        for (var i = 0; i < Cluster.NodeCount; i++)
        {
            var token = await cluster.LoginAsync(cluster.Nodes[i], Cluster.AdminEmail, cluster.AdminPassword);
            Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(cluster.Nodes[(i + 1) % Cluster.NodeCount], token));
        }
    }

    private static async Task<Poll> PollUntilRejectedAsync(SampleNode node, string token, long changed)
    {
        var accepted = 0;
        while (true)
        {
            var sent = Stopwatch.GetTimestamp();
            var status = await Cluster.MeAsync(node, token);
            var elapsed = Stopwatch.GetElapsedTime(changed);
            if (status == HttpStatusCode.Unauthorized)
            {
                return new Poll(node.Name, Refused: true, elapsed, accepted, Stopwatch.GetElapsedTime(sent));
            }

            Assert.Equal(HttpStatusCode.OK, status);
            accepted++;
            if (elapsed > PollLimit)
            {
                return new Poll(node.Name, Refused: false, elapsed, accepted, Stopwatch.GetElapsedTime(sent));
            }
        }
    }

    private static void Report(Results results, string what, IEnumerable<double> latencies)
    {
        var sorted = latencies.Order().ToList();
        results.Line($"  {what,-15} n={sorted.Count,4}  p50 {Results.Percentile(sorted, 0.50),7:F2} ms  p99 {Results.Percentile(sorted, 0.99),7:F2} ms  max {sorted.LastOrDefault(),7:F2} ms");
    }

    private static string PerRequest(NodeLog.Counts delta) =>
        $"{delta.Validations} validations ({delta.Rejected} rejected), {delta.StoreReads} store reads "
        + $"({(delta.Validations > 0 ? (double)delta.StoreReads / delta.Validations : 0):F3} per request)";

    private static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>
    /// A poll of one node until it refused the old token (or gave up after <see cref="PollLimit"/>): how long after the change,
    /// after how many 200s, and the last request's own time.
    /// </summary>
    private sealed record Poll(string Node, bool Refused, TimeSpan Latency, int Accepted, TimeSpan Last);
}
