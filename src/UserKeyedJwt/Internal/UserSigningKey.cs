using System.Buffers.Text;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Internal;

/// <summary>
/// A derived per-user HS256 key, and the kid it belongs to: <c>{secretId}.{fingerprint}.{tag}</c>. The kid is kept as its
/// 24 raw bytes, not as a 45-character string (a cached key is about a hundred bytes smaller so); only keys made for
/// issuing carry it as <see cref="SecurityKey.KeyId"/>, which IdentityModel writes into the header. Its factory hands out a fresh one-shot signature provider per use, so that
/// per-user keys never pass through IdentityModel's bounded provider cache (which thrashes with many users; see
/// docs/decisions.md).
/// </summary>
[DebuggerDisplay("UserSigningKey(UserId = {UserId}, Purpose = {Purpose})")]
internal sealed class UserSigningKey : SymmetricSecurityKey
{
    internal const int FingerprintLength = 11;
    internal const int TagLength = 22;

    private const int MaxKidLength = ServerSecretId.MaxLength + 2 + FingerprintLength + TagLength;

    // fingerprint (8 bytes) || tag (16 bytes), inline.
    private KidBytes _kid;

    private UserSigningKey(byte[] key, string userId, ServerSecret secret, TokenPurpose purpose)
        : base(key)
    {
        UserId = userId;
        Secret = secret;
        _purpose = (byte)purpose;
        CryptoProviderFactory = UserKeyCryptoProviderFactory.Instance;
    }

    public string UserId { get; }

    public ServerSecret Secret { get; }

    // A byte rather than the enum's int, so that it and KidConfirmed share one alignment slot: 8 bytes per cached user.
    private readonly byte _purpose;

    public TokenPurpose Purpose => (TokenPurpose)_purpose;

    /// <summary>
    /// The key's bytes, as the base class holds them. <see cref="SymmetricSecurityKey.Key"/> returns a fresh copy on every
    /// read, which cost an allocation per signature check and left an unzeroed copy of a derived key on the heap each time
    /// (D25). A test pins this accessor to <see cref="SymmetricSecurityKey.Key"/>, so an IdentityModel that renames the field
    /// fails the build's tests; at run time it would throw, and the token would fail, not pass.
    /// </summary>
    internal byte[] KeyBytes => BaseKeyBytes(this);

    /// <summary>
    /// Whether this key's kid is known to be its own: computed from the key, or taken from a token whose signature this key
    /// then verified. A key that only claims a token's kid (<see cref="ClaimingKid"/>) is never cached or indexed.
    /// </summary>
    public bool KidConfirmed { get; private set; }

    /// <summary>When the cache stops trusting this key, in <see cref="TimeProvider"/> timestamp ticks. Set before the key is shared.</summary>
    public long CacheExpiresAt { get; set; }

    /// <summary>Whether <paramref name="kid"/> is exactly this key's kid (constant time for kids of the right length).</summary>
    public bool MatchesKid(ReadOnlySpan<char> kid)
    {
        Span<char> expected = stackalloc char[MaxKidLength];
        var length = WriteKid(expected);
        return kid.Length == length && FixedTime.Equal(kid, expected[..length]);
    }

    /// <summary>Whether <paramref name="fingerprint"/> (11 characters of a kid) is this key's fingerprint, in constant time.</summary>
    public bool MatchesFingerprint(ReadOnlySpan<char> fingerprint)
    {
        Span<char> expected = stackalloc char[FingerprintLength];
        Base64Url.EncodeToChars(((ReadOnlySpan<byte>)_kid)[..UserKeyDerivation.FingerprintSizeInBytes], expected);
        return fingerprint.Length == FingerprintLength && FixedTime.Equal(fingerprint, expected);
    }

    /// <summary>
    /// Takes the fingerprint and tag of <paramref name="kid"/> (a kid of this key's secret whose tag verified) as this key's,
    /// until <see cref="ConfirmAdoptedKid"/> or <see cref="ComputeOwnKid()"/> settles it.
    /// </summary>
    private void AdoptKid(string kid)
    {
        var at = Secret.Id.Length + 1;
        Span<byte> bytes = _kid;
        Base64Url.DecodeFromChars(kid.AsSpan(at, FingerprintLength), bytes[..UserKeyDerivation.FingerprintSizeInBytes]);
        Base64Url.DecodeFromChars(kid.AsSpan(at + FingerprintLength + 1, TagLength), bytes[UserKeyDerivation.FingerprintSizeInBytes..]);
    }

    /// <param name="secret">The server secret.</param>
    /// <param name="material">The user's key inputs.</param>
    /// <param name="purpose">Access or refresh.</param>
    /// <param name="forIssuing">Also set <see cref="SecurityKey.KeyId"/>, which the token writer puts into the header.</param>
    public static UserSigningKey Derive(ServerSecret secret, UserKeyMaterial material, TokenPurpose purpose, bool forIssuing = false)
    {
        var keyBytes = new byte[UserKeyDerivation.KeySizeInBytes];
        UserKeyDerivation.Expand(secret.Prk, material, purpose, keyBytes);
        return FromDerived(secret, material.UserId, purpose, keyBytes, forIssuing);
    }

    /// <summary>
    /// Derives the key that should verify a token whose kid carries <paramref name="verifiedFingerprint"/> and
    /// <paramref name="verifiedTag"/>, where the caller has already checked that tag for this user, fingerprint and secret.
    /// When the derived fingerprint is that one, the derived key's tag is that tag, so it is decoded rather than MACed again
    /// (one HMAC saved per cache miss); otherwise the tag is computed.
    /// </summary>
    public static UserSigningKey DeriveForVerifiedKid(ServerSecret secret, UserKeyMaterial material, TokenPurpose purpose, ReadOnlySpan<char> verifiedFingerprint, ReadOnlySpan<char> verifiedTag)
    {
        var keyBytes = new byte[UserKeyDerivation.KeySizeInBytes];
        UserKeyDerivation.Expand(secret.Prk, material, purpose, keyBytes);
        return FromDerived(secret, material.UserId, purpose, keyBytes, forIssuing: false, verifiedFingerprint, verifiedTag);
    }

    /// <summary>
    /// Derives the key from <paramref name="material"/> and lets it claim the token's <paramref name="kid"/> (whose tag the
    /// caller verified) without computing its own fingerprint and tag (D26). If the token's signature then verifies under
    /// this key, the kid is this key's own: the header is signed, and only the issuer signs with this key, always writing its
    /// true kid; call <see cref="ConfirmAdoptedKid"/>. Otherwise call <see cref="ComputeOwnKid()"/>, which says whether the
    /// user's key inputs changed. Until one of the two, the key is never cached.
    /// </summary>
    public static UserSigningKey ClaimingKid(ServerSecret secret, UserKeyMaterial material, TokenPurpose purpose, string kid)
    {
        var keyBytes = new byte[UserKeyDerivation.KeySizeInBytes];
        UserKeyDerivation.Expand(secret.Prk, material, purpose, keyBytes);
        var key = new UserSigningKey(keyBytes, material.UserId, secret, purpose);
        CryptographicOperations.ZeroMemory(keyBytes);
        key.AdoptKid(kid);
        return key;
    }

    /// <summary>The token whose kid this key claimed verified under it: the kid is this key's own.</summary>
    public void ConfirmAdoptedKid() => KidConfirmed = true;

    /// <summary>Computes this key's own fingerprint and tag (two HMACs), replacing a claimed kid.</summary>
    public void ComputeOwnKid() => SetOwnKid(default, default, withTag: true);

    /// <summary>As <see cref="ComputeOwnKid()"/>; without the tag only for the dummy key, which is never kept.</summary>
    public void ComputeOwnKid(bool withTag) => SetOwnKid(default, default, withTag);

    /// <summary>
    /// The key for <paramref name="keyBytes"/>, which <see cref="UserKeyDerivation.Expand(ReadOnlySpan{byte}, UserKeyMaterial, TokenPurpose, Span{byte})"/>
    /// derived for <paramref name="userId"/>: computes its fingerprint and tag. Zeroes <paramref name="keyBytes"/>.
    /// </summary>
    public static UserSigningKey FromDerived(ServerSecret secret, string userId, TokenPurpose purpose, byte[] keyBytes, bool forIssuing) =>
        FromDerived(secret, userId, purpose, keyBytes, forIssuing, default, default);

    private static UserSigningKey FromDerived(ServerSecret secret, string userId, TokenPurpose purpose, byte[] keyBytes, bool forIssuing, ReadOnlySpan<char> verifiedFingerprint, ReadOnlySpan<char> verifiedTag)
    {
        var key = new UserSigningKey(keyBytes, userId, secret, purpose);
        key.SetOwnKid(verifiedFingerprint, verifiedTag, withTag: true);
        if (forIssuing)
        {
            Span<char> kid = stackalloc char[MaxKidLength];
            key.KeyId = new string(kid[..key.WriteKid(kid)]);
        }

        // SymmetricSecurityKey keeps its own copy of the bytes.
        CryptographicOperations.ZeroMemory(keyBytes);
        return key;
    }

    /// <summary>
    /// Computes this key's fingerprint and, with <paramref name="withTag"/>, its tag: taken from <paramref name="verifiedTag"/>
    /// when the fingerprint is <paramref name="verifiedFingerprint"/> (a tag the caller verified for that fingerprint is this
    /// key's tag), MACed otherwise.
    /// </summary>
    private void SetOwnKid(ReadOnlySpan<char> verifiedFingerprint, ReadOnlySpan<char> verifiedTag, bool withTag)
    {
        Span<byte> kid = _kid;
        var fingerprint = kid[..UserKeyDerivation.FingerprintSizeInBytes];
        UserKeyDerivation.Fingerprint(KeyBytes, fingerprint);
        if (!withTag)
        {
            return;
        }

        Span<char> fingerprintText = stackalloc char[FingerprintLength];
        Base64Url.EncodeToChars(fingerprint, fingerprintText);
        var tag = kid[UserKeyDerivation.FingerprintSizeInBytes..];
        var takeTag = verifiedTag.Length == TagLength && FixedTime.Equal(fingerprintText, verifiedFingerprint);
        if (!takeTag || Base64Url.DecodeFromChars(verifiedTag, tag) != UserKeyDerivation.TagSizeInBytes)
        {
            UserKeyDerivation.Tag(Secret.TagKey, UserId, fingerprintText, Secret.Id, tag);
        }

        KidConfirmed = true;
    }

    private int WriteKid(Span<char> destination)
    {
        ReadOnlySpan<byte> bytes = _kid;
        var id = Secret.Id;
        id.CopyTo(destination);
        destination[id.Length] = '.';
        var at = id.Length + 1 + Base64Url.EncodeToChars(bytes[..UserKeyDerivation.FingerprintSizeInBytes], destination[(id.Length + 1)..]);
        destination[at++] = '.';
        return at + Base64Url.EncodeToChars(bytes[UserKeyDerivation.FingerprintSizeInBytes..], destination[at..]);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_key")]
    private static extern ref byte[] BaseKeyBytes(SymmetricSecurityKey key);

    [InlineArray(UserKeyDerivation.FingerprintSizeInBytes + UserKeyDerivation.TagSizeInBytes)]
    private struct KidBytes
    {
        private byte _element;
    }

    // The default ToString prints the key's thumbprint (InternalId); keep key-derived values out of logs and debuggers.
    public override string ToString() => $"UserSigningKey(UserId = {UserId}, Purpose = {Purpose})";
}
