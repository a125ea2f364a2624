using System.Text.RegularExpressions;

namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// The core's log events in a node's captured output (console, simple single-line format, <c>UserKeyedJwt</c> at Trace):
/// what the node did, read from what it logged. A store read is event 1014 (<c>UserStoreRead</c>) of the users store, one
/// per key derivation whatever its outcome (the sessions and denylist reads of the same derivation are not counted
/// again); a validation is 1001 (validated), 1002 or 1003 (rejected); the invalidation bus state is the last 1013
/// (<c>InvalidationBusStateChanged</c>) since the process started; a message of the bus applied is 1008 with source
/// <c>remote</c>; a refresh redeemed is 1109, a reuse detected 1101, a session ended 1104.
/// </summary>
public static partial class NodeLog
{
    private const int TokenValidated = 1001;
    private const int TokenRejected = 1002;
    private const int TokenRejectedForUser = 1003;
    private const int KeyCacheInvalidated = 1008;
    private const int InvalidationBusStateChanged = 1013;
    private const int UserStoreRead = 1014;
    private const int RefreshTokenReused = 1101;
    private const int SessionEnded = 1104;
    private const int SessionRefreshed = 1109;

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

    /// <summary>Whether <paramref name="line"/> says that the node dropped the user's keys on another node's message (1008, remote).</summary>
    public static bool IsRemoteInvalidation(string line, string userId) =>
        EventId(line, out var message) == KeyCacheInvalidated
        && message == $"Cached keys of user {userId} dropped (remote invalidation).";

    /// <summary>Whether <paramref name="line"/> says that the session ended, for <paramref name="reason"/> (1104).</summary>
    public static bool IsSessionEnded(string line, string sessionId, string reason) =>
        EventId(line, out var message) == SessionEnded
        && message.StartsWith($"Session {sessionId} of user ", StringComparison.Ordinal)
        && message.EndsWith($": {reason}.", StringComparison.Ordinal);

    /// <summary>What the node's refreshes of <paramref name="sessionId"/> came to: redeemed (1109) and reuse detected (1101).</summary>
    public static (int Redeemed, int Reused) Refreshes(IEnumerable<string> lines, string sessionId)
    {
        var prefix = $"Session {sessionId} of user ";
        int redeemed = 0, reused = 0;
        foreach (var line in lines)
        {
            switch (EventId(line, out var message))
            {
                case SessionRefreshed when message.StartsWith(prefix, StringComparison.Ordinal):
                    redeemed++;
                    break;
                case RefreshTokenReused when message.StartsWith(prefix, StringComparison.Ordinal):
                    reused++;
                    break;
            }
        }

        return (redeemed, reused);
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
