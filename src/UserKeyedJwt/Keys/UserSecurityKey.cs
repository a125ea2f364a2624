using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt;

/// <summary>
/// A <see cref="UserKey"/> as IdentityModel sees it, made per use. Its factory makes a signature provider per use too, so that
/// per-user keys never pass through IdentityModel's bounded provider cache, which many users would thrash.
/// </summary>
[System.Diagnostics.DebuggerDisplay("UserSecurityKey(Purpose = {Key.Purpose})")]
internal sealed class UserSecurityKey : SecurityKey
{
    public UserSecurityKey(UserKey key)
    {
        Key = key;
        KeyId = key.Kid;
        CryptoProviderFactory = UserKeyCryptoProviderFactory.Instance;
    }

    public UserKey Key { get; }

    public override int KeySize => UserKeyDerivation.KeySizeInBytes * 8;

    // The default prints a thumbprint of the key; keep anything key-derived out of logs and debuggers.
    public override string ToString() => Key.ToString();
}

/// <summary>Makes HS256 signature providers for <see cref="UserSecurityKey"/> and refuses every other key and algorithm.</summary>
internal sealed class UserKeyCryptoProviderFactory : CryptoProviderFactory
{
    public static readonly UserKeyCryptoProviderFactory Instance = new();

    private UserKeyCryptoProviderFactory()
    {
        CacheSignatureProviders = false;
    }

    public override SignatureProvider CreateForSigning(SecurityKey key, string algorithm) => Create(key, algorithm);

    public override SignatureProvider CreateForSigning(SecurityKey key, string algorithm, bool cacheProvider) => Create(key, algorithm);

    public override SignatureProvider CreateForVerifying(SecurityKey key, string algorithm) => Create(key, algorithm);

    public override SignatureProvider CreateForVerifying(SecurityKey key, string algorithm, bool cacheProvider) => Create(key, algorithm);

    public override bool IsSupportedAlgorithm(string algorithm, SecurityKey key) =>
        key is UserSecurityKey && string.Equals(algorithm, SecurityAlgorithms.HmacSha256, StringComparison.Ordinal);

    public override void ReleaseSignatureProvider(SignatureProvider signatureProvider)
    {
        // Nothing is pooled, so nothing goes back.
    }

    private static UserKeySignatureProvider Create(SecurityKey key, string algorithm) =>
        key is UserSecurityKey userKey && string.Equals(algorithm, SecurityAlgorithms.HmacSha256, StringComparison.Ordinal)
            ? new UserKeySignatureProvider(userKey)
            : throw new NotSupportedException("UserKeyedJwt keys sign and verify HS256 only.");
}

/// <summary>HS256 under a <see cref="UserKey"/>: the platform's one-shot HMAC, and a constant-time comparison.</summary>
internal sealed class UserKeySignatureProvider : SignatureProvider
{
    private readonly UserKey _key;

    public UserKeySignatureProvider(UserSecurityKey key)
        : base(key, SecurityAlgorithms.HmacSha256)
    {
        _key = key.Key;
        WillCreateSignatures = true;
    }

    public override byte[] Sign(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var signature = new byte[HMACSHA256.HashSizeInBytes];
        _key.Mac(input, signature);
        return signature;
    }

    public override bool Sign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (destination.Length < HMACSHA256.HashSizeInBytes)
        {
            return false;
        }

        _key.Mac(data, destination);
        bytesWritten = HMACSHA256.HashSizeInBytes;
        return true;
    }

    public override bool Verify(byte[] input, byte[] signature) =>
        input is not null && signature is not null && Verify(input, signature.AsSpan());

    public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength) =>
        input is not null && signature is not null && Verify(input.AsSpan(inputOffset, inputLength), signature.AsSpan(signatureOffset, signatureLength));

    protected override void Dispose(bool disposing)
    {
        // Holds no resource of its own.
    }

    private bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        _key.Mac(input, expected);
        return CryptographicOperations.FixedTimeEquals(expected, signature);
    }
}
