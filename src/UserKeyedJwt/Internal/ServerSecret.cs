using System.Diagnostics;

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

    public override string ToString() => $"ServerSecret({Id})";
}
