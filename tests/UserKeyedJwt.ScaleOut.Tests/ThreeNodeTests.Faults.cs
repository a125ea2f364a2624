using System.Diagnostics;
using System.Globalization;
using System.Net;
using UserKeyedJwt.ScaleOut.Tests.Support;

namespace UserKeyedJwt.ScaleOut.Tests;

/// <summary>
/// Fault runs on the shared three-node cluster. A node killed (SIGKILL) and started again on its port serves the others'
/// tokens and takes part in revocation again. Redis killed under traffic: the nodes keep answering valid tokens, read the
/// users and sessions from PostgreSQL while their invalidation bus is down, refuse revoked tokens on every node at the first
/// request, and keep refreshing (reuse detected across nodes); when Redis comes back they use their caches again and
/// revocations travel over the bus again.
/// </summary>
/// <remarks>
/// Each fault run leaves the cluster as it found it (node back, Redis back, buses connected), and checks that it did.
/// </remarks>
public sealed partial class ThreeNodeTests
{
    private const int StoreCheckRequests = 10;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NodeKilledAndStartedAgain_ServesTheOthersTokens_AndTakesPartInRevocationAgain()
    {
        var cluster = await shared.GetAsync(postgres);
        var (node1, node2, node3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        var alice = await cluster.RegisterAsync(node1);
        var issuedBefore = await cluster.LoginAsync(node1, alice);
        foreach (var node in cluster.Nodes)
        {
            Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, issuedBefore));
        }

        await node3.KillAsync();
        Assert.False(node3.IsRunning);
        Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node1, issuedBefore));
        Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node2, issuedBefore));

        await node3.StartAsync();
        var busAfterRestart = await Cluster.WaitForBusAsync(node3, connected: true);

        // Tokens from before the crash, from another node after it, and the restarted node's own, everywhere.
        Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node3, issuedBefore));
        var issuedByNode2 = await cluster.LoginAsync(node2, alice);
        Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node3, issuedByNode2));
        Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node3, issuedByNode2));
        var issuedByNode3 = await cluster.LoginAsync(node3, alice);
        Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node1, issuedByNode3));
        Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node2, issuedByNode3));

        // A revocation on node 1 reaches the restarted node, whose cache holds alice's key...
        await cluster.AdminRevokeAsync(node1, alice);
        var changed = Stopwatch.GetTimestamp();
        var toRestarted = await PollUntilRejectedAsync(node3, issuedByNode2, changed);
        Assert.True(toRestarted.Latency < Bound, $"node3 after its restart accepted a revoked token for {toRestarted.Latency.TotalMilliseconds:F1} ms.");

        // ... and one made on the restarted node reaches the others.
        var bob = await cluster.RegisterAsync(node1);
        var bobToken = await cluster.LoginAsync(node1, bob);
        foreach (var node in new[] { node1, node1, node2, node2 })
        {
            Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, bobToken));
        }

        await cluster.ChangePasswordAsync(node3, bobToken, bob);
        changed = Stopwatch.GetTimestamp();
        var fromRestarted = await Task.WhenAll(PollUntilRejectedAsync(node1, bobToken, changed), PollUntilRejectedAsync(node2, bobToken, changed));
        foreach (var poll in fromRestarted)
        {
            Assert.True(poll.Latency < Bound, $"{poll.Node} accepted a token revoked on the restarted node for {poll.Latency.TotalMilliseconds:F1} ms.");
        }

        var results = new Results("node-restart");
        results.Line($"node3 killed (SIGKILL) and started again on port {node3.Port}: answered after {node3.StartupTime.TotalSeconds:F1} s, its invalidation bus connected {busAfterRestart.TotalMilliseconds:F0} ms later.");
        results.Line($"It accepted a token node1 issued before the crash and one node2 issued after; nodes 1 and 2 accepted its own.");
        results.Line($"Revocation on node1 seen by the restarted node3 after {toRestarted.Latency.TotalMilliseconds:F1} ms ({toRestarted.Accepted} stale answers).");
        results.Line($"Revocation on the restarted node3 seen by {string.Join(", ", fromRestarted.Select(p => $"{p.Node} after {p.Latency.TotalMilliseconds:F1} ms"))}.");
        results.Save();
    }

    [Fact]
    public async Task RedisKilledUnderTraffic_EveryNodeServesFromTheDatabase_RefusesRevokedTokens_RefreshesAndDetectsReuse_ThenUsesItsCacheAgain()
    {
        var cluster = await shared.GetAsync(postgres);
        var (node1, node2, node3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);

        var alice = await cluster.RegisterAsync(node1);
        var bob = await cluster.RegisterAsync(node2);
        var carol = await cluster.RegisterAsync(node3);
        var erin = await cluster.RegisterAsync(node1);
        var frank = await cluster.RegisterAsync(node2);
        var grace = await cluster.RegisterAsync(node3);
        var heidi = await cluster.RegisterAsync(node1);
        var dave = await cluster.RegisterAsync(node1);
        var aliceToken = await cluster.LoginAsync(node1, alice);
        var bobToken = await cluster.LoginAsync(node1, bob);
        var carolToken = await cluster.LoginAsync(node2, carol);
        var erinPhone = await cluster.LoginAsync(node3, erin);
        var erinLaptop = await cluster.LoginAsync(node1, erin);
        var frankPhone = await cluster.LoginAsync(node1, frank);
        var frankLaptop = await cluster.LoginAsync(node2, frank);
        var grace0 = await cluster.LoginPairAsync(node1, grace);
        await cluster.AdminTokenAsync();

        // Every token cached on every node before the kill: what a node that missed a message would wrongly serve.
        foreach (var node in cluster.Nodes)
        {
            foreach (var token in new[] { aliceToken, bobToken, carolToken, erinPhone, erinLaptop, frankPhone, frankLaptop, grace0.Access })
            {
                Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, token));
                Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, token));
            }
        }

        // Traffic on every node from before the kill to the end of the outage: valid tokens (one of a user whose other
        // session ends during the outage), and every token revoked so far.
        var state = new OutageTraffic([aliceToken, erinLaptop]);
        var stop = new TaskCompletionSource();
        var traffic = cluster.Nodes.Select(n => TrafficAsync(n, state, stop.Task)).ToArray();
        await Task.Delay(500, Ct);

        state.Kill();
        await cluster.Redis.StopAsync();
        var noticed = await Task.WhenAll(cluster.Nodes.Select(async n =>
        {
            await Cluster.WaitForBusAsync(n, connected: false, TimeSpan.FromSeconds(10));
            return (n.Name, After: Stopwatch.GetElapsedTime(state.KilledAt));
        }));

        // Revocations while Redis is down, each made on one node: every node refuses at its very first request.
        await cluster.ChangePasswordAsync(node1, bobToken, bob);
        await RefusedEverywhereAsync(cluster, state, bobToken);
        await cluster.AdminRevokeAsync(node2, carol);
        await RefusedEverywhereAsync(cluster, state, carolToken);
        await Cluster.EndSessionAsync(node3, erinLaptop, Cluster.SessionId(erinPhone));
        await RefusedEverywhereAsync(cluster, state, erinPhone);
        await Cluster.LogoutAllAsync(node1, frankLaptop);
        await RefusedEverywhereAsync(cluster, state, frankPhone, frankLaptop);
        foreach (var node in cluster.Nodes)
        {
            Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, erinLaptop));
        }

        // Refresh on every node: a pair node 1 issued before the kill, redeemed on node 2, then on node 3, then on node 1.
        var latest = grace0;
        foreach (var node in new[] { node2, node3, node1 })
        {
            var (status, next) = await cluster.RefreshAsync(node, latest.Refresh);
            Assert.Equal(HttpStatusCode.OK, status);
            foreach (var other in cluster.Nodes)
            {
                Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(other, next!.Access));
            }

            latest = next!;
        }

        // Reuse across nodes: a pair node 1 issued during the outage, redeemed on node 2; its spent refresh token replayed
        // on node 3 ends the session, and every node refuses the pair of the redemption at once.
        var heidi0 = await cluster.LoginPairAsync(node1, heidi);
        var (redeemed, heidi1) = await cluster.RefreshAsync(node2, heidi0.Refresh);
        Assert.Equal(HttpStatusCode.OK, redeemed);
        Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node3, heidi1!.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, (await cluster.RefreshAsync(node3, heidi0.Refresh)).Status);
        await RefusedEverywhereAsync(cluster, state, heidi1.Access, heidi0.Access);
        foreach (var node in cluster.Nodes)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await cluster.RefreshAsync(node, heidi1.Refresh)).Status);
        }

        // The traffic goes on polling the revoked tokens on every node for a while, then stops.
        await Task.Delay(1500, Ct);
        stop.SetResult();
        var counts = await Task.WhenAll(traffic);
        foreach (var count in counts)
        {
            Assert.True(count.OutageTotal >= 20, $"{count.Node}: only {count.OutageTotal} valid requests during the outage.");
            Assert.True(count.Served >= 0.99 * count.Total, $"{count.Node}: {count.Served} of {count.Total} valid requests served: {string.Join(", ", count.Failures.Take(10))}");
            Assert.True(count.OutageServed >= 0.99 * count.OutageTotal, $"{count.Node}: {count.OutageServed} of {count.OutageTotal} valid requests served during the outage: {string.Join(", ", count.Failures.Take(10))}");
            Assert.True(count.RevokedPolls > 0, $"{count.Node}: no revoked token was polled.");
            Assert.Equal(0, count.RevokedAccepted);
        }

        // While the bus is down every token is checked against PostgreSQL: one derivation (a read of the users, the session
        // and the denylist) per request, the cache bypassed.
        var outage = new List<NodeLog.Counts>();
        foreach (var node in cluster.Nodes)
        {
            var before = await Cluster.CountAsync(node);
            for (var i = 0; i < StoreCheckRequests; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, aliceToken));
            }

            var delta = await Cluster.CountAsync(node) - before;
            Assert.Equal(StoreCheckRequests, delta.Validated);
            Assert.Equal(StoreCheckRequests, delta.StoreReads);
            Assert.False(node.BusConnected, $"{node.Name} logged its bus connected while Redis was down.");
            outage.Add(delta);
        }

        // Redis back on its port: every node reconnects and uses its cache again...
        var restarted = Stopwatch.GetTimestamp();
        await cluster.Redis.StartAgainAsync();
        await Task.WhenAll(cluster.Nodes.Select(n => Cluster.WaitForBusAsync(n, connected: true, TimeSpan.FromSeconds(30))));
        var recovery = Stopwatch.GetElapsedTime(restarted);
        var recovered = new List<NodeLog.Counts>();
        foreach (var node in cluster.Nodes)
        {
            var before = await Cluster.CountAsync(node);
            for (var i = 0; i < StoreCheckRequests; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, aliceToken));
            }

            // Normally one read (the cache was cleared on reconnection). Invalidations queued during the outage are
            // delivered now, and each bumps the cache's epoch, which makes a lookup in flight at that moment not cache its
            // key (it may be stale), so a second read is allowed; the cache must serve most of the requests all the same.
            var delta = await Cluster.CountAsync(node) - before;
            Assert.Equal(StoreCheckRequests, delta.Validated);
            Assert.InRange(delta.StoreReads, 0, 3);
            recovered.Add(delta);
        }

        // Nothing revoked during the outage comes back with the caches, and the valid tokens stay valid.
        foreach (var node in cluster.Nodes)
        {
            foreach (var token in state.RevokedTokens)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, await Cluster.MeAsync(node, token));
            }

            Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, erinLaptop));
            Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, latest.Access));
        }

        // ... and revocations travel over the bus again.
        var daveToken = await cluster.LoginAsync(node1, dave);
        foreach (var node in new[] { node2, node2, node3, node3 })
        {
            Assert.Equal(HttpStatusCode.OK, await Cluster.MeAsync(node, daveToken));
        }

        await Cluster.LogoutAllAsync(node1, daveToken);
        var changed = Stopwatch.GetTimestamp();
        var afterRecovery = await Task.WhenAll(PollUntilRejectedAsync(node2, daveToken, changed), PollUntilRejectedAsync(node3, daveToken, changed));
        foreach (var poll in afterRecovery)
        {
            Assert.True(poll.Latency < Bound, $"{poll.Node} accepted dave's revoked token for {poll.Latency.TotalMilliseconds:F1} ms after Redis came back.");
        }

        var results = new Results("redis-outage");
        results.Line($"Redis killed (SIGKILL) under traffic on 3 nodes, sessions in PostgreSQL.");
        results.Line($"Bus reported disconnected (cache bypassed) after the kill: {string.Join(", ", noticed.Select(n => $"{n.Name} {n.After.TotalMilliseconds:F0} ms"))} (its log polled every 10 ms).");
        results.Line($"Valid requests served (200): {string.Join("; ", counts.Select(c => $"{c.Node} {c.Served - c.OutageServed} of {c.Total - c.OutageTotal} before the kill, {c.OutageServed} of {c.OutageTotal} during the outage ({100.0 * c.OutageServed / c.OutageTotal:F1}%)"))}.");
        results.Line($"Revoked tokens polled during the outage ({state.RevokedTokens.Count} tokens): {string.Join("; ", counts.Select(c => $"{c.Node} {c.RevokedPolls} polls, {c.RevokedAccepted} accepted"))}.");
        results.Line($"Made during the outage, each refused by every node at its first request: a password change (node1), an admin revoke (node2), a session ended by id from the user's other session (node3; the other stayed valid everywhere), a logout-all of two sessions (node1).");
        results.Line($"Refresh during the outage: a pair node1 issued before the kill redeemed on node2, node3, node1 in turn, each 200 with its access token accepted everywhere; a pair node1 issued during the outage redeemed on node2, its spent refresh token replayed on node3: 401 (reuse), and the redeemed pair refused on every node at once.");
        results.Line($"During the outage, {StoreCheckRequests} requests per node: {string.Join("; ", outage.Select((d, i) => $"{cluster.Nodes[i].Name} {d.StoreReads} store reads"))} ({ReadsPerRequest(outage)} per request; bus logged disconnected, cache bypassed).");
        results.Line($"Redis restarted on its port: all buses connected again {recovery.TotalMilliseconds:F0} ms after the restart began.");
        results.Line($"After recovery, {StoreCheckRequests} requests per node: {string.Join("; ", recovered.Select((d, i) => $"{cluster.Nodes[i].Name} {d.StoreReads} store reads"))} ({ReadsPerRequest(recovered)} per request); every token revoked during the outage still refused everywhere.");
        results.Line($"Logout-all on node1 after recovery seen by {string.Join(", ", afterRecovery.Select(p => $"{p.Node} after {p.Latency.TotalMilliseconds:F1} ms"))}.");
        results.Save();
    }

    private static string ReadsPerRequest(List<NodeLog.Counts> counts) =>
        ((double)counts.Sum(c => c.StoreReads) / counts.Sum(c => c.Validations)).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>Every node refuses each token at its first request (the bus is down: no node may wait for a message); the traffic polls them from now on.</summary>
    private static async Task RefusedEverywhereAsync(Cluster cluster, OutageTraffic state, params string[] tokens)
    {
        foreach (var (token, index) in tokens.Select((t, i) => (t, i)))
        {
            foreach (var node in cluster.Nodes)
            {
                var status = await Cluster.MeAsync(node, token);
                Assert.True(status == HttpStatusCode.Unauthorized, $"{node.Name} answered {(int)status} to revoked token {index} at its first request, with Redis down.");
            }
        }

        state.Revoke(tokens);
    }

    private static async Task<Traffic> TrafficAsync(SampleNode node, OutageTraffic state, Task stop)
    {
        int total = 0, served = 0, outageTotal = 0, outageServed = 0, revokedPolls = 0, revokedAccepted = 0;
        var failures = new List<string>();
        for (var i = 0; !stop.IsCompleted; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            var outage = state.KilledAt != 0 && sent > state.KilledAt;
            var status = await TryMeAsync(node, state.Valid[i % state.Valid.Count]);
            total++;
            outageTotal += outage ? 1 : 0;
            if (status == HttpStatusCode.OK)
            {
                served++;
                outageServed += outage ? 1 : 0;
            }
            else
            {
                failures.Add($"{(status is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "no answer")} {(outage ? "during" : "before")} the outage");
            }

            if (state.Revoked(i) is { } revoked)
            {
                revokedPolls++;
                var answer = await TryMeAsync(node, revoked);
                if (answer != HttpStatusCode.Unauthorized)
                {
                    revokedAccepted += answer == HttpStatusCode.OK ? 1 : 0;
                    failures.Add($"revoked token answered {(answer is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "nothing")}");
                }
            }

            await Task.Delay(5, Ct);
        }

        return new Traffic(node.Name, total, served, outageTotal, outageServed, revokedPolls, revokedAccepted, failures);
    }

    private static async Task<HttpStatusCode?> TryMeAsync(SampleNode node, string token)
    {
        try
        {
            return await Cluster.MeAsync(node, token);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private sealed record Traffic(string Node, int Total, int Served, int OutageTotal, int OutageServed, int RevokedPolls, int RevokedAccepted, List<string> Failures);

    /// <summary>What the traffic of the Redis run sends: valid tokens, the revoked ones so far, and when Redis was killed.</summary>
    private sealed class OutageTraffic(IReadOnlyList<string> valid)
    {
        private readonly Lock _lock = new();
        private readonly List<string> _revoked = [];
        private long _killedAt;

        public IReadOnlyList<string> Valid { get; } = valid;

        public long KilledAt => Interlocked.Read(ref _killedAt);

        public IReadOnlyList<string> RevokedTokens
        {
            get
            {
                lock (_lock)
                {
                    return [.. _revoked];
                }
            }
        }

        public void Kill() => Interlocked.Exchange(ref _killedAt, Stopwatch.GetTimestamp());

        public void Revoke(IEnumerable<string> tokens)
        {
            lock (_lock)
            {
                _revoked.AddRange(tokens);
            }
        }

        public string? Revoked(int i)
        {
            lock (_lock)
            {
                return _revoked.Count == 0 ? null : _revoked[i % _revoked.Count];
            }
        }
    }
}
