using System.Diagnostics;
using System.Net;
using UserKeyedJwt.ScaleOut.Tests.Support;

namespace UserKeyedJwt.ScaleOut.Tests;

/// <summary>
/// Refresh races across the shared three-node cluster, over HTTP. One refresh token redeemed on the three nodes at once:
/// exactly one redemption wins (a compare-and-set on the session's row in PostgreSQL), the others are reuse, and the session
/// ends, the winner's pair with it. A thief who refreshes a stolen refresh token in a loop on nodes 2 and 3 while the
/// victim revokes on node 1 keeps no pair alive on any node.
/// </summary>
/// <remarks>
/// "The bus delivered" is read from the nodes' logs: a node that applied another node's message logs event 1008 (remote)
/// for the user, after it dropped the user's keys. From then on, its first request with any token of the revoked session
/// must be refused: no poll, so a pair that survives is a pair that survives, not a slow message.
/// </remarks>
public sealed partial class ThreeNodeTests
{
    private const int ParallelTokens = 8;
    private const int RedemptionsPerNode = 2;
    private const int ThiefRounds = 12;

    // A thief still refreshing this many times after the revocation returned holds a pair that outlived it: stop there.
    private const int ThiefRefreshesAfterRevocation = 3;

    public enum Revocation
    {
        LogoutAll,
        LogoutOthers,
        PasswordChange,
        AdminRevoke,
        AdminEndsSessions,
    }

    [Fact]
    public async Task OneRefreshToken_RedeemedOnThreeNodesAtOnce_ExactlyOneWins_TheOthersAreReuse_AndTheSessionEndsEverywhere()
    {
        var cluster = await shared.GetAsync(postgres);
        var redemptions = RedemptionsPerNode * Cluster.NodeCount;
        var winners = new int[Cluster.NodeCount];
        int reused = 0, alreadyEnded = 0;
        for (var t = 0; t < ParallelTokens; t++)
        {
            var user = await cluster.RegisterAsync(cluster.Nodes[t % Cluster.NodeCount]);
            var first = await cluster.LoginPairAsync(cluster.Nodes[t % Cluster.NodeCount], user);
            var sessionId = Cluster.SessionId(first.Access);

            // The session's key cached on every node: without the bus, the winner's new access token would pass there.
            foreach (var node in cluster.Nodes.Concat(cluster.Nodes))
            {
                Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, first.Access));
            }

            var from = cluster.Nodes.Select(n => n.LineCount).ToArray();
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racers = Enumerable.Range(0, redemptions).Select(i => Task.Run(async () =>
            {
                await gate.Task;
                var node = i % Cluster.NodeCount;
                var (status, pair) = await cluster.RefreshAsync(cluster.Nodes[node], first.Refresh);
                return (Node: node, Status: status, Pair: pair);
            }, Ct)).ToArray();
            gate.SetResult();
            var answers = await Task.WhenAll(racers);

            var statuses = string.Join(", ", answers.Select(a => $"{cluster.Nodes[a.Node].Name} {(int)a.Status}"));
            Assert.True(answers.Count(a => a.Status == HttpStatusCode.OK) == 1, $"Token {t}: not exactly one redemption won: {statuses}.");
            Assert.True(answers.All(a => a.Status is HttpStatusCode.OK or HttpStatusCode.Unauthorized), $"Token {t}: {statuses}.");
            var won = answers.Single(a => a.Status == HttpStatusCode.OK);
            winners[won.Node]++;

            // One loser saw the advanced generation (reuse) and ended the session on its node; once the two others applied
            // its message (the node that ended it drops its own keys and ignores its own messages)...
            var applied = await WaitForRemoteInvalidationsAsync(cluster, from, user.Id, Cluster.NodeCount - 1);
            var lines = await Task.WhenAll(cluster.Nodes.Select(async (n, i) => (await n.ReadOutputAsync())[from[i]..]));
            var counted = lines.Select(l => NodeLog.Refreshes(l, sessionId)).ToList();
            Assert.Equal(1, counted.Sum(c => c.Redeemed));
            Assert.InRange(counted.Sum(c => c.Reused), 1, redemptions - 1);
            reused += counted.Sum(c => c.Reused);
            alreadyEnded += redemptions - 1 - counted.Sum(c => c.Reused);
            var ender = Assert.Single(Enumerable.Range(0, Cluster.NodeCount), i => lines[i].Any(l => NodeLog.IsSessionEnded(l, sessionId, "reused")));
            Assert.DoesNotContain(ender, applied.Keys);
            Assert.Equal("0", Assert.Single(await cluster.Postgres.QueryAsync(cluster.Database, $"SELECT count(*) FROM \"UserKeyedSessions\" WHERE \"Id\" = '{sessionId}'")));

            // ... no token of the session passes anywhere, the winner's included.
            foreach (var node in cluster.Nodes)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, await Cluster.MeAsync(node, won.Pair!.Access));
                Assert.Equal(HttpStatusCode.Unauthorized, await Cluster.MeAsync(node, first.Access));
            }

            foreach (var node in cluster.Nodes)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await cluster.RefreshAsync(node, won.Pair!.Refresh)).Status);
            }
        }

        var results = new Results("parallel-redemption");
        results.Line($"{ParallelTokens} refresh tokens, each redeemed {redemptions} times at once ({RedemptionsPerNode} per node), grace window 0.");
        results.Line($"Per token: 1 redemption answered 200, {redemptions - 1} answered 401; the session row deleted; afterwards the winner's pair refused on every node.");
        results.Line($"Winners by node: {string.Join(", ", winners.Select((w, i) => $"{cluster.Nodes[i].Name} {w}"))}.");
        results.Line($"Losers: {reused} detected reuse (event 1101, the session ended), {alreadyEnded} found the session already ended.");
        results.Save();
    }

    [Theory]
    [InlineData(Revocation.LogoutAll)]
    [InlineData(Revocation.LogoutOthers)]
    [InlineData(Revocation.PasswordChange)]
    [InlineData(Revocation.AdminRevoke)]
    [InlineData(Revocation.AdminEndsSessions)]
    public async Task ThiefLoopOnNodes2And3_VictimRevokesOnNode1_NoPairTheThiefGotSurvivesOnAnyNode(Revocation revocation)
    {
        var cluster = await shared.GetAsync(postgres);
        var (node1, node2, node3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        await cluster.AdminTokenAsync();
        var survivals = new List<string>();
        var deliveries = new List<double>();
        int pairs = 0, inFlight = 0, issuedInFlight = 0;
        for (var round = 0; round < ThiefRounds; round++)
        {
            var victim = await cluster.RegisterAsync(node1);
            var stolen = await cluster.LoginPairAsync(node2, victim);
            var laptop = await cluster.LoginPairAsync(node1, victim);

            // The phone's session key cached on every node: without the bus, the thief's later pairs would pass there.
            foreach (var node in cluster.Nodes.Concat(cluster.Nodes))
            {
                Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, stolen.Access));
            }

            await cluster.RememberSessionsAsync();
            var from = cluster.Nodes.Select(n => n.LineCount).ToArray();
            var obtained = new List<Cluster.Pair> { stolen };
            var refreshes = new List<(long Sent, long Answered, HttpStatusCode Status)>();
            var refreshesBefore = round % 4;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var returned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thief = Task.Run(async () =>
            {
                var current = stolen;
                var afterRevocation = 0;
                for (var i = 0; afterRevocation < ThiefRefreshesAfterRevocation; i++)
                {
                    if (i >= refreshesBefore)
                    {
                        ready.TrySetResult();
                    }

                    afterRevocation += returned.Task.IsCompleted ? 1 : 0;
                    var sent = Stopwatch.GetTimestamp();
                    var (status, pair) = await cluster.RefreshAsync(cluster.Nodes[1 + (i % 2)], current.Refresh);
                    lock (obtained)
                    {
                        refreshes.Add((sent, Stopwatch.GetTimestamp(), status));
                    }

                    if (status != HttpStatusCode.OK)
                    {
                        Assert.Equal(HttpStatusCode.Unauthorized, status);
                        return;
                    }

                    current = pair!;
                    lock (obtained)
                    {
                        obtained.Add(current);
                    }
                }

                // Still refreshing after the revocation returned: its last pair outlived it, which the check below reports.
            }, Ct);

            await Task.WhenAny(ready.Task, thief);
            var revokeSent = Stopwatch.GetTimestamp();
            try
            {
                await RevokeAsync(cluster, node1, revocation, victim, laptop);
            }
            finally
            {
                returned.SetResult();
            }

            var revoked = Stopwatch.GetTimestamp();
            await thief;

            // The revocation has returned; once nodes 2 and 3 applied node 1's message, each pair is refused at once, everywhere.
            var applied = await WaitForRemoteInvalidationsAsync(cluster, from, victim.Id, 2);
            Assert.Equal([1, 2], applied.Keys.Order());
            deliveries.AddRange(applied.Values.Select(t => Stopwatch.GetElapsedTime(revoked, t).TotalMilliseconds));

            foreach (var (pair, index) in obtained.Select((p, i) => (p, i)))
            {
                foreach (var node in cluster.Nodes)
                {
                    var access = await Cluster.MeAsync(node, pair.Access);
                    var refresh = (await cluster.RefreshAsync(node, pair.Refresh)).Status;
                    if (access != HttpStatusCode.Unauthorized || refresh != HttpStatusCode.Unauthorized)
                    {
                        survivals.Add($"round {round}: pair {index} of {obtained.Count} on {node.Name} (access {(int)access}, refresh {(int)refresh})");
                    }
                }
            }

            // Logging out the others spares the victim's own session; every other revocation ends it too.
            foreach (var node in cluster.Nodes)
            {
                Assert.Equal(revocation == Revocation.LogoutOthers ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, await Cluster.MeAsync(node, laptop.Access));
            }

            pairs += obtained.Count;
            var racing = refreshes.Where(r => r.Sent < revoked && r.Answered > revokeSent).ToList();
            inFlight += racing.Count;
            issuedInFlight += racing.Count(r => r.Status == HttpStatusCode.OK);
        }

        var sorted = deliveries.Order().ToList();
        var results = new Results($"thief-loop-{revocation}");
        results.Line($"Thief loop, {revocation} on node1, {ThiefRounds} rounds: the thief refreshed on nodes 2 and 3 in turn, {pairs} pairs obtained in all.");
        results.Line($"Thief refreshes in flight while the revocation was: {inFlight}, of which {issuedInFlight} answered 200 (a pair issued during the race).");
        results.Line($"Revocation applied on nodes 2 and 3 (event 1008 remote in their logs) after its response: p50 {Results.Percentile(sorted, 0.5):F1} ms, p99 {Results.Percentile(sorted, 0.99):F1} ms, max {sorted[^1]:F1} ms.");
        results.Line($"Pairs accepted afterwards on any node (access or refresh): {survivals.Count}.");
        results.Save();

        Assert.Empty(survivals);
    }

    /// <summary>
    /// Waits until <paramref name="count"/> nodes logged that they applied another node's invalidation of the user (since
    /// <paramref name="from"/>, their line counts), within <see cref="Bound"/>; returns when each did, by node index.
    /// </summary>
    private static async Task<Dictionary<int, long>> WaitForRemoteInvalidationsAsync(Cluster cluster, int[] from, string userId, int count)
    {
        var applied = new Dictionary<int, long>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            for (var i = 0; i < Cluster.NodeCount; i++)
            {
                if (!applied.ContainsKey(i) && cluster.Nodes[i].FindLine(from[i], l => NodeLog.IsRemoteInvalidation(l, userId)) is not null)
                {
                    applied[i] = Stopwatch.GetTimestamp();
                }
            }

            if (applied.Count >= count)
            {
                return applied;
            }

            Assert.True(clock.Elapsed < Bound, $"Only {applied.Count} of {count} nodes applied the invalidation of user {userId} within {Bound.TotalSeconds} s.");
            await Task.Delay(1, Ct);
        }
    }

    private static async Task RevokeAsync(Cluster cluster, SampleNode node, Revocation revocation, Cluster.User victim, Cluster.Pair laptop)
    {
        switch (revocation)
        {
            case Revocation.LogoutAll:
                await Cluster.LogoutAllAsync(node, laptop.Access);
                break;
            case Revocation.LogoutOthers:
                await Cluster.LogoutOthersAsync(node, laptop.Access);
                break;
            case Revocation.PasswordChange:
                await cluster.ChangePasswordAsync(node, laptop.Access, victim);
                break;
            case Revocation.AdminRevoke:
                await cluster.AdminRevokeAsync(node, victim);
                break;
            default:
                await cluster.AdminEndSessionsAsync(node, victim);
                break;
        }
    }
}
