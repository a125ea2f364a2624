using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace UserKeyedJwt;

/// <summary>
/// A derived HS256 key of one user for one purpose under one server secret, and of one session when its tokens belong to one,
/// with the <c>kid</c> that tokens signed under it carry. Immutable: the key cache holds it as it is, and a change of the
/// user's key inputs derives another.
/// </summary>
[DebuggerDisplay("UserKey(Purpose = {Purpose}, Secret = {Secret.Id})")]
internal sealed class UserKey
{
    private static readonly IReadOnlySet<string> NoRevokedTokens = new HashSet<string>();

    // Inline rather than an array of its own: one object less per cached key.
    private readonly KeyBytes _key;

    private UserKey(ReadOnlySpan<byte> key, ServerSecret secret, TokenPurpose purpose, string? sessionId, string kid, long derivedAt, IReadOnlySet<string> revokedTokenIds)
    {
        key.CopyTo(_key);
        Secret = secret;
        Purpose = purpose;
        SessionId = sessionId;
        Kid = kid;
        DerivedAt = derivedAt;
        RevokedTokenIds = revokedTokenIds;
    }

    public ServerSecret Secret { get; }

    public TokenPurpose Purpose { get; }

    /// <summary>The session whose tokens this key signs, or <see langword="null"/> for tokens without one.</summary>
    public string? SessionId { get; }

    /// <summary>
    /// The user's tokens on the <c>jti</c> denylist when this key was derived: a validation under it refuses them. A new entry
    /// reaches the cache as an invalidation of the user, like any other change.
    /// </summary>
    public IReadOnlySet<string> RevokedTokenIds { get; }

    /// <summary><c>{secretId}.{fingerprint}.{tag}</c>.</summary>
    public string Kid { get; }

    /// <summary>When the key was derived, as a <see cref="TimeProvider"/> timestamp: the key cache's TTL counts from here.</summary>
    public long DerivedAt { get; }

    /// <summary>Derives the key of <paramref name="inputs"/>' user, and of <paramref name="session"/> if given, with its fingerprint and tag.</summary>
    public static UserKey Derive(ServerSecret secret, UserKeyInputs inputs, TokenPurpose purpose, UserKeyedSession? session, long derivedAt, IReadOnlySet<string>? revokedTokenIds = null)
    {
        var key = UserKeyDerivation.Expand(secret.Prk, inputs, purpose);
        if (session is not null)
        {
            var userKey = key;
            key = UserKeyDerivation.ExpandForSession(userKey, session.Id, session.Secret);
            CryptographicOperations.ZeroMemory(userKey);
        }

        try
        {
            var fingerprint = UserKeyDerivation.Fingerprint(key);
            var kid = $"{secret.Id}.{fingerprint}.{secret.Tag(purpose, inputs.UserId, fingerprint)}";
            return new UserKey(key, secret, purpose, session?.Id, kid, derivedAt, revokedTokenIds ?? NoRevokedTokens);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The same key under another kid. Only for the unknown-user decoy, which is never cached.</summary>
    public UserKey WithKid(string kid) => new(_key, Secret, Purpose, SessionId, kid, DerivedAt, RevokedTokenIds);

    /// <summary>Whether <paramref name="kid"/> is this key's kid. Only the tag is secret, so only the tag is compared in constant time.</summary>
    public bool HasKid(string kid)
    {
        var tagAt = Kid.Length - UserKeyDerivation.TagLength;
        return kid.Length == Kid.Length
            && kid.AsSpan(0, tagAt).SequenceEqual(Kid.AsSpan(0, tagAt))
            && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(kid.AsSpan(tagAt)), MemoryMarshal.AsBytes(Kid.AsSpan(tagAt)));
    }

    /// <summary>Whether <paramref name="fingerprint"/> is this key's; a fingerprint is not secret.</summary>
    public bool HasFingerprint(string fingerprint) =>
        Kid.AsSpan(Secret.Id.Length + 1, UserKeyDerivation.FingerprintLength).SequenceEqual(fingerprint);

    /// <summary>HMAC-SHA256 of <paramref name="data"/> under this key.</summary>
    public void Mac(ReadOnlySpan<byte> data, Span<byte> mac) => HMACSHA256.HashData(_key, data, mac);

    /// <summary>This key as IdentityModel signs and verifies with it.</summary>
    public UserSecurityKey ToSecurityKey() => new(this);

    public override string ToString() => $"UserKey(Purpose = {Purpose}, Secret = {Secret.Id})";

    [InlineArray(UserKeyDerivation.KeySizeInBytes)]
    private struct KeyBytes
    {
        private byte _first;
    }
}
