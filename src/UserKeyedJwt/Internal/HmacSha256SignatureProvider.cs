using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Internal;

/// <summary>
/// HS256 through <see cref="PaddedHmacSha256"/> (or a per-thread keyed HMAC for a key the thread keeps seeing): no pooled
/// <see cref="KeyedHashAlgorithm"/> per key, nothing to dispose, and a constant-time comparison.
/// Any algorithm other than HS256 never verifies, so a key of ours can't be coaxed into another MAC.
/// </summary>
internal sealed class HmacSha256SignatureProvider : SignatureProvider
{
    // A reusable HMAC costs about half of a one-shot one (no context set-up per call), but one per cached user would cost
    // hundreds of bytes each. So each thread keeps one, keyed to the last key it saw twice in a row: hot users get the
    // fast path, and round-robin traffic over many users never re-keys (re-keying costs more than a one-shot). Every other
    // key is MACed over a reusable unkeyed SHA-256 (PaddedHmacSha256), which skips the one-shot's native context set-up.
    [ThreadStatic]
    private static HMACSHA256? t_hmac;
    [ThreadStatic]
    private static UserSigningKey? t_hmacOwner;
    [ThreadStatic]
    private static UserSigningKey? t_lastSeen;

    private readonly UserSigningKey _owner;
    private readonly byte[] _key;

    // Made per use (it is small and short-lived) rather than kept with every cached key, which would cost 64 bytes a user.
    public HmacSha256SignatureProvider(UserSigningKey key)
        : base(key, SecurityAlgorithms.HmacSha256)
    {
        _owner = key;
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

    private int Mac(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        if (ReferenceEquals(t_hmacOwner, _owner))
        {
            return t_hmac!.TryComputeHash(input, destination, out var written) ? written : throw new CryptographicException();
        }

        if (ReferenceEquals(t_lastSeen, _owner))
        {
            t_hmac?.Dispose();
            t_hmac = new HMACSHA256(_key);
            t_hmacOwner = _owner;
            return t_hmac.TryComputeHash(input, destination, out var written) ? written : throw new CryptographicException();
        }

        t_lastSeen = _owner;
        return PaddedHmacSha256.HashData(_key, input, destination);
    }

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
