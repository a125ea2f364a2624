using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Internal;

/// <summary>
/// HS256 through <see cref="PaddedHmacSha256"/>: no pooled <see cref="KeyedHashAlgorithm"/> per key, nothing per user or
/// per thread to keep, nothing to dispose, and a constant-time comparison. Any algorithm other than HS256 never verifies,
/// so a key of ours can't be coaxed into another MAC.
/// </summary>
internal sealed class HmacSha256SignatureProvider : SignatureProvider
{
    private readonly byte[] _key;

    // Made per use (it is small and short-lived) rather than kept with every cached key, which would cost 64 bytes a user.
    public HmacSha256SignatureProvider(UserSigningKey key)
        : base(key, SecurityAlgorithms.HmacSha256)
    {
        _key = key.KeyBytes; // the key's own array, never written to; not a copy (SymmetricSecurityKey.Key copies)
        WillCreateSignatures = true;
    }

    public override byte[] Sign(byte[] input) => Sign(input, 0, input?.Length ?? 0);

    public override byte[] Sign(byte[] input, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(input);
        var signature = new byte[HMACSHA256.HashSizeInBytes];
        Mac(input.AsSpan(offset, count), signature);
        return signature;
    }

    public override bool Sign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length < HMACSHA256.HashSizeInBytes)
        {
            bytesWritten = 0;
            return false;
        }

        bytesWritten = Mac(data, destination);
        return true;
    }

    public override bool Verify(byte[] input, byte[] signature) => VerifyCore(input, signature);

    public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength) =>
        VerifyCore(input.AsSpan(inputOffset, inputLength), signature.AsSpan(signatureOffset, signatureLength));

    protected override void Dispose(bool disposing)
    {
    }

    // Over libcrypto's SHA-256 this costs less than a keyed .NET HMAC, for every key alike (D27); so no keyed HMAC is kept
    // per thread for a hot key any more, nor one per user.
    private int Mac(ReadOnlySpan<byte> input, Span<byte> destination) => PaddedHmacSha256.HashData(_key, input, destination);

    private bool VerifyCore(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != HMACSHA256.HashSizeInBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(input, expected);
        return FixedTime.Equal(expected, signature);
    }
}
