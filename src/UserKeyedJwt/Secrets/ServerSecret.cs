using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.ObjectPool;

namespace UserKeyedJwt;

/// <summary>One secret of the ring, kept as its HKDF PRK and its tag key; the raw secret is not kept.</summary>
[DebuggerDisplay("ServerSecret({Id})")]
internal sealed class ServerSecret
{
    private readonly ObjectPool<IncrementalHash> _tagMacs;

    public ServerSecret(string id, byte[] secret)
    {
        Id = id;
        Prk = UserKeyDerivation.Extract(secret);
        _tagMacs = new DefaultObjectPool<IncrementalHash>(new TagMacPolicy(UserKeyDerivation.TagKey(Prk)));
    }

    /// <summary>The id written into every <c>kid</c>: not secret.</summary>
    public string Id { get; }

    /// <summary>The PRK that every user key of this secret is expanded from.</summary>
    public byte[] Prk { get; }

    /// <summary>The <c>kid</c> tag that this secret gives a token of <paramref name="purpose"/> for this subject and fingerprint.</summary>
    public string Tag(TokenPurpose purpose, string subject, string fingerprint)
    {
        Span<char> tag = stackalloc char[UserKeyDerivation.TagLength];
        WriteTag(purpose, subject, fingerprint, tag);
        return new string(tag);
    }

    /// <summary>Whether <paramref name="tag"/> is the tag of this purpose, subject and fingerprint, compared in constant time.</summary>
    public bool TagMatches(TokenPurpose purpose, string subject, string fingerprint, string tag)
    {
        Span<char> expected = stackalloc char[UserKeyDerivation.TagLength];
        WriteTag(purpose, subject, fingerprint, expected);
        return CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected), MemoryMarshal.AsBytes(tag.AsSpan()));
    }

    private void WriteTag(TokenPurpose purpose, string subject, string fingerprint, Span<char> tag)
    {
        // Keyed MACs are pooled because setting one up costs several times the MAC of a short input, and every token whose kid
        // is not cached has its tag checked. A MAC is not returned when computing the tag threw.
        var mac = _tagMacs.Get();
        UserKeyDerivation.Tag(mac, purpose, subject, fingerprint, Id, tag);
        _tagMacs.Return(mac);
    }

    public override string ToString() => $"ServerSecret({Id})";

    private sealed class TagMacPolicy(byte[] tagKey) : IPooledObjectPolicy<IncrementalHash>
    {
        public IncrementalHash Create() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, tagKey);

        public bool Return(IncrementalHash obj) => true;
    }
}
