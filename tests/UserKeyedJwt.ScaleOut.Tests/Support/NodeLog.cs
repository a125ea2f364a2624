using System.Text.RegularExpressions;

namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// The core's log events in a node's captured output (console, simple single-line format, <c>UserKeyedJwt</c> at Trace):
/// what the node did, read from what it logged. A store read is event 1014 (<c>UserStoreRead</c>) of the users store, one
/// per key derivation whatever its outcome (the sessions and denylist reads of the same derivation are not counted again); a validation is 1001 (validated), 1002 or 1003 (rejected); the invalidation bus state is the last 1013
/// (<c>InvalidationBusStateChanged</c>) since the process started.
/// </summary>
public static partial class NodeLog
{
    private const int TokenValidated = 1001;
    private const int TokenRejected = 1002;
    private const int TokenRejectedForUser = 1003;
    private const int InvalidationBusStateChanged = 1013;
    private const int UserStoreRead = 1014;

    public static Counts Count(IEnumerable<string> lines)
    {
        int reads = 0, validated = 0, rejected = 0;
        foreach (var line in lines)
        {
            switch (EventId(line, out _))
            {
                case UserStoreRead when line.Contains("Read the users store", StringComparison.Ordinal):
                    reads++;
                    break;
                case TokenValidated:
                    validated++;
                    break;
                case TokenRejected or TokenRejectedForUser:
                    rejected++;
                    break;
            }
        }

        return new Counts(reads, validated, rejected);
    }

    /// <summary>Whether the last start's latest 1013 says connected (the key cache in use); false before its first one.</summary>
    public static bool BusConnected(IEnumerable<string> lines, string startLinePrefix)
    {
        var connected = false;
        foreach (var line in lines)
        {
            if (line.StartsWith(startLinePrefix, StringComparison.Ordinal))
            {
                connected = false;
            }
            else if (EventId(line, out var message) == InvalidationBusStateChanged)
            {
                connected = BusState().Match(message) is { Success: true } state
                    ? state.Groups["connected"].Value == "True"
                    : throw new InvalidOperationException($"Event {InvalidationBusStateChanged} no longer reads as expected: {line}");
            }
        }

        return connected;
    }

    private static int? EventId(string line, out string message)
    {
        var match = CoreEvent().Match(line);
        message = match.Success ? match.Groups["message"].Value : "";
        return match.Success ? int.Parse(match.Groups["id"].ValueSpan, provider: null) : null;
    }

    // "trce: UserKeyedJwt.UserKeyInputsLookup[1014] Read the key inputs of user ... from the store: found."
    [GeneratedRegex(@"^[a-z]{4}: UserKeyedJwt(\.[\w.`]+)?\[(?<id>\d+)\] (?<message>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex CoreEvent();

    [GeneratedRegex(@"^Invalidation bus connected: (?<connected>True|False)\.", RegexOptions.CultureInvariant)]
    private static partial Regex BusState();

    /// <summary>Totals since the node's first start; subtract two to get what happened between them.</summary>
    public sealed record Counts(int StoreReads, int Validated, int Rejected)
    {
        public int Validations => Validated + Rejected;

        public static Counts operator -(Counts after, Counts before) =>
            new(after.StoreReads - before.StoreReads, after.Validated - before.Validated, after.Rejected - before.Rejected);

        public override string ToString() => $"{Validations} validations ({Rejected} rejected), {StoreReads} store reads";
    }
}
