using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Internal;

/// <summary>
/// HS256 through the one-shot <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>:
/// no pooled <see cref="KeyedHashAlgorithm"/> per key, nothing to dispose, and a constant-time comparison.
/// Any algorithm other than HS256 never verifies, so a key of ours can't be coaxed into another MAC.
/// </summary>
internal sealed class HmacSha256SignatureProvider : SignatureProvider
{
    private readonly byte[] _key;

    public HmacSha256SignatureProvider(SymmetricSecurityKey key)
        : base(key, SecurityAlgorithms.HmacSha256)
    {
        _key = key.Key;
        WillCreateSignatures = true;
    }

    public override byte[] Sign(byte[] input) => HMACSHA256.HashData(_key, input);

    public override byte[] Sign(byte[] input, int offset, int count) => HMACSHA256.HashData(_key, input.AsSpan(offset, count));

    public override bool Sign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten) =>
        HMACSHA256.TryHashData(_key, data, destination, out bytesWritten);

    public override bool Verify(byte[] input, byte[] signature) => VerifyCore(input, signature);

    public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength) =>
        VerifyCore(input.AsSpan(inputOffset, inputLength), signature.AsSpan(signatureOffset, signatureLength));

    protected override void Dispose(bool disposing)
    {
    }

    private bool VerifyCore(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != HMACSHA256.HashSizeInBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input, expected);
        return CryptographicOperations.FixedTimeEquals(expected, signature);
    }
}
