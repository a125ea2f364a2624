using System.Diagnostics;
using System.Security.Cryptography;

namespace UserKeyedJwt.Internal;

/// <summary>One secret of the ring, kept only as the HKDF PRK and the derived tag key; the raw secret is zeroed after extraction.</summary>
[DebuggerDisplay("ServerSecret({Id})")]
internal sealed class ServerSecret
{
    public ServerSecret(string id, byte[] prk, byte[] tagKey)
    {
        Id = id;
        Prk = prk;
        TagKey = tagKey;
    }

    public string Id { get; }

    public byte[] Prk { get; }

    public byte[] TagKey { get; }

    /// <summary>A reusable HMAC keyed with <see cref="Prk"/>, for this thread.</summary>
    public HMACSHA256 PrkMac => Own().Prk;

    /// <summary>A reusable HMAC keyed with <see cref="TagKey"/>, for this thread.</summary>
    public HMACSHA256 TagMac => Own().Tag;

    // Keyed HMAC objects save the per-call context set-up of the one-shot API (about half the cost for short inputs). They
    // are not thread-safe, so each thread keeps a pair, for the last secret it used: nearly always the active one.
    [ThreadStatic]
    private static ThreadMacs? t_macs;

    public override string ToString() => $"ServerSecret({Id})";

    private ThreadMacs Own()
    {
        var macs = t_macs;
        if (macs is null || !ReferenceEquals(macs.Owner, this))
        {
            macs?.Prk.Dispose();
            macs?.Tag.Dispose();
            t_macs = macs = new ThreadMacs(this, new HMACSHA256(Prk), new HMACSHA256(TagKey));
        }

        return macs;
    }

    private sealed record ThreadMacs(ServerSecret Owner, HMACSHA256 Prk, HMACSHA256 Tag);
}
