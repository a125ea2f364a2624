using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Internal;

/// <summary>
/// A derived per-user HS256 key. Its <see cref="SecurityKey.KeyId"/> is the token's <c>kid</c>:
/// <c>{secretId}.{fingerprint}.{tag}</c>. It carries its own signature provider, so that per-user keys never pass through
/// IdentityModel's bounded provider cache (which thrashes with many users; see docs/decisions.md).
/// </summary>
[DebuggerDisplay("UserSigningKey(UserId = {UserId}, Purpose = {Purpose})")]
internal sealed class UserSigningKey : SymmetricSecurityKey
{
    internal const int FingerprintLength = 11;
    internal const int TagLength = 22;

    private UserSigningKey(byte[] key, string userId, ServerSecret secret, TokenPurpose purpose, string keyId)
        : base(key)
    {
        UserId = userId;
        Secret = secret;
        Purpose = purpose;
        KeyId = keyId;
        CryptoProviderFactory = UserKeyCryptoProviderFactory.Instance;
        SignatureProvider = new HmacSha256SignatureProvider(this);
    }

    public string UserId { get; }

    public ServerSecret Secret { get; }

    public TokenPurpose Purpose { get; }

    public HmacSha256SignatureProvider SignatureProvider { get; }

    /// <summary>When the cache stops trusting this key, in <see cref="TimeProvider"/> timestamp ticks. Set before the key is shared.</summary>
    public long CacheExpiresAt { get; set; }

    /// <summary>The fingerprint part of <see cref="SecurityKey.KeyId"/>.</summary>
    public ReadOnlySpan<char> Fingerprint => KeyId.AsSpan(Secret.Id.Length + 1, FingerprintLength);

    public static UserSigningKey Derive(ServerSecret secret, UserKeyMaterial material, TokenPurpose purpose)
    {
        var keyBytes = new byte[UserKeyDerivation.KeySizeInBytes];
        UserKeyDerivation.Expand(secret.Prk, material, purpose, keyBytes);

        Span<byte> fingerprint = stackalloc byte[UserKeyDerivation.FingerprintSizeInBytes];
        UserKeyDerivation.Fingerprint(keyBytes, fingerprint);
        Span<char> fingerprintText = stackalloc char[FingerprintLength];
        Base64Url.EncodeToChars(fingerprint, fingerprintText);

        Span<byte> tag = stackalloc byte[UserKeyDerivation.TagSizeInBytes];
        UserKeyDerivation.Tag(secret.TagKey, material.UserId, fingerprintText, secret.Id, tag);
        Span<char> tagText = stackalloc char[TagLength];
        Base64Url.EncodeToChars(tag, tagText);

        var keyId = $"{secret.Id}.{(ReadOnlySpan<char>)fingerprintText}.{(ReadOnlySpan<char>)tagText}";
        var key = new UserSigningKey(keyBytes, material.UserId, secret, purpose, keyId);

        // SymmetricSecurityKey keeps its own copy of the bytes.
        CryptographicOperations.ZeroMemory(keyBytes);
        return key;
    }

    // The default ToString prints the key's thumbprint (InternalId); keep key-derived values out of logs and debuggers.
    public override string ToString() => $"UserSigningKey(UserId = {UserId}, Purpose = {Purpose})";
}
