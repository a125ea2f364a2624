using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests;

/// <summary>
/// The rules of invalidation across nodes, for all interleavings: three nodes (three real containers, each with its own
/// key cache) share one user store and one server secret, and are joined by an in-process bus that behaves like the Redis
/// one: a message reaches only the nodes connected when it is sent, and a disconnected publisher sends it when it is back.
/// Whatever the order of validations, changes made through the library on any node, and losses and recoveries of each
/// node's channel, every node accepts a token whose user's key inputs are unchanged, and rejects one whose inputs changed,
/// with one exception, the documented one: while the node that made the change cannot publish it, other nodes may accept
/// the old token until their cached key expires (<see cref="UserKeyedJwtOptions.KeyCacheTtl"/> after the change at most).
/// </summary>
public class CrossNodeInvalidationPropertyTests
{
    private const int Nodes = 3;
    private const int Users = 2;

    public enum StepKind
    {
        Issue,
        Validate,
        ChangeStamp,
        Disconnect,
        Connect,
        Advance,
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 60)]
    public async Task EveryNode_AcceptsATokenIffItsKeyInputsAreCurrent(Step[] steps)
    {
        var secret = CoreFixture.NewSecret();
        var store = new InMemoryUserKeyInputsSource();
        var hub = new Hub();
        var start = CoreFixture.Start;
        var nodes = Enumerable.Range(0, Nodes).Select(i => new CoreFixture(
            o =>
            {
                o.ServerSecrets.Clear();
                o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = secret });
            },
            source: store,
            start: start,
            bus: hub.Join(i))).ToArray();
        try
        {
            var current = new UserKeyInputs[Users];
            for (var u = 0; u < Users; u++)
            {
                current[u] = new UserKeyInputs("user-" + u, "stamp-0", "hash-" + u);
                store.Set(current[u]);
            }

            for (var n = 0; n < Nodes; n++)
            {
                hub.SetConnected(n, true);
            }

            var tokens = new List<(int User, UserKeyInputs Material, string Token)>();
            var changedAt = new DateTimeOffset[Users];
            var ttl = new UserKeyedJwtOptions().KeyCacheTtl;
            var version = 0;
            foreach (var step in steps)
            {
                var node = nodes[step.Node % Nodes];
                var user = step.User % Users;
                switch (step.Kind)
                {
                    case StepKind.Issue:
                        tokens.Add((user, current[user], node.Issuer.Issue(current[user]).Token));
                        break;
                    case StepKind.Validate when tokens.Count > 0:
                        var (owner, material, token) = tokens[step.Token % tokens.Count];
                        var result = await node.Handler.ValidateAsync(token, cancellationToken: TestContext.Current.CancellationToken);
                        var expected = ReferenceEquals(material, current[owner]);
                        var unpublished = hub.Pending("user-" + owner) && node.Time.GetUtcNow() - changedAt[owner] < ttl;
                        Assert.True(
                            expected == result.IsValid || (!expected && unpublished),
                            $"node {step.Node % Nodes}, token of user {owner}: expected valid={expected}, got {result.FailureReason}");
                        break;
                    case StepKind.ChangeStamp:
                        // What UserKeyedUserManager does: save, then invalidate on the node that made the change.
                        current[user] = new UserKeyInputs("user-" + user, "stamp-" + ++version, "hash-" + user);
                        store.Set(current[user]);
                        changedAt[user] = node.Time.GetUtcNow();
                        node.Cache.Invalidate("user-" + user);
                        break;
                    case StepKind.Disconnect:
                        hub.SetConnected(step.Node % Nodes, false);
                        break;
                    case StepKind.Connect:
                        hub.SetConnected(step.Node % Nodes, true);
                        break;
                    case StepKind.Advance:
                        foreach (var each in nodes)
                        {
                            each.Time.Advance(TimeSpan.FromSeconds(step.Token % 50));
                        }

                        break;
                }
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    public readonly record struct Step(StepKind Kind, int Node, int User, int Token);

    public static class Arbitraries
    {
        public static Arbitrary<Step> Steps() =>
            (from kind in Gen.Frequency(
                 (3, Gen.Constant(StepKind.Issue)),
                 (8, Gen.Constant(StepKind.Validate)),
                 (3, Gen.Constant(StepKind.ChangeStamp)),
                 (1, Gen.Constant(StepKind.Disconnect)),
                 (1, Gen.Constant(StepKind.Connect)),
                 (1, Gen.Constant(StepKind.Advance)))
             from node in Gen.Choose(0, Nodes - 1)
             from user in Gen.Choose(0, Users - 1)
             from token in Gen.Choose(0, 1000)
             select new Step(kind, node, user, token)).ToArbitrary();
    }

    /// <summary>
    /// Pub/sub in one process: a message reaches the nodes connected when it is sent, and no other; a publisher that is
    /// disconnected keeps its messages and sends them when it is back (the Redis bus retries).
    /// </summary>
    private sealed class Hub
    {
        private readonly NodeBus[] _buses = new NodeBus[Nodes];

        public IUserKeyInvalidationBus Join(int node) => _buses[node] = new NodeBus(this, node);

        public bool Pending(string userId) => _buses.Any(b => b.Outbox.Contains(userId));

        public void SetConnected(int node, bool connected)
        {
            var bus = _buses[node];
            if (bus.Connected != connected)
            {
                bus.Connected = connected;
                bus.Listener?.OnConnectionChanged(connected);
            }

            if (connected)
            {
                var outbox = bus.Outbox.ToArray();
                bus.Outbox.Clear();
                foreach (var userId in outbox)
                {
                    Send(node, userId);
                }
            }
        }

        private void Send(int from, string userId)
        {
            if (!_buses[from].Connected)
            {
                _buses[from].Outbox.Add(userId);
                return;
            }

            foreach (var bus in _buses)
            {
                if (bus.Node != from && bus.Connected)
                {
                    bus.Listener?.OnInvalidated(userId);
                }
            }
        }

        private sealed class NodeBus(Hub hub, int node) : IUserKeyInvalidationBus
        {
            public int Node => node;

            public bool Connected { get; set; }

            public List<string> Outbox { get; } = [];

            public IUserKeyInvalidationListener? Listener { get; private set; }

            public void Subscribe(IUserKeyInvalidationListener listener) => Listener = listener;

            public void Publish(string userId) => hub.Send(node, userId);
        }
    }
}
