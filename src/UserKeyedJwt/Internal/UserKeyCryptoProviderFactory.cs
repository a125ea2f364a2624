using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Internal;

/// <summary>
/// Hands out a small one-shot signature provider for a <see cref="UserSigningKey"/>, for HS256 only. Any other algorithm
/// gets a provider that never verifies and never signs. Nothing is cached here, so 10^5 users don't evict each other
/// from IdentityModel's 1,000-entry provider LRU.
/// </summary>
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

    public override bool IsSupportedAlgorithm(string algorithm, SecurityKey key) => key is UserSigningKey && string.Equals(algorithm, SecurityAlgorithms.HmacSha256, StringComparison.Ordinal);

    public override void ReleaseSignatureProvider(SignatureProvider signatureProvider)
    {
        // Nothing pooled, nothing to return: the provider holds no native resource of its own.
    }

    private static SignatureProvider Create(SecurityKey key, string algorithm) =>
        key is UserSigningKey userKey && string.Equals(algorithm, SecurityAlgorithms.HmacSha256, StringComparison.Ordinal)
            ? new HmacSha256SignatureProvider(userKey)
            : throw new NotSupportedException("UserKeyedJwt keys sign and verify HS256 only.");
}
