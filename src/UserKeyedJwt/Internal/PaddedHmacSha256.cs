using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace UserKeyedJwt.Internal;

/// <summary>
/// HMAC-SHA256 (RFC 2104) computed as <c>SHA256((K ^ opad) || SHA256((K ^ ipad) || m))</c>: over libcrypto's low-level
/// SHA-256 where <see cref="NativeSha256"/> is available (D27), else over a reusable, unkeyed per-thread SHA-256 (D22).
/// Either way it is markedly cheaper than the one-shot
/// <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>, which sets up a fresh native
/// HMAC context on every call, and it keeps no per-key state: nothing per cached user.
/// </summary>
/// <remarks>
/// The padded key lives only on this method's stack and is zeroed before it returns. The work done does not depend on the
/// key's value, only on the lengths, as with any HMAC. Equality with <see cref="HMACSHA256"/> is a property test.
/// </remarks>
internal static class PaddedHmacSha256
{
    private const int BlockSize = 64;
    private const ulong InnerPad = 0x3636363636363636;
    private const ulong OuterPad = 0x5c5c5c5c5c5c5c5c;

    // Data up to this length is copied next to the inner pad (a signing input is a few hundred bytes).
    private const int InlineDataLimit = 960;

    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>Writes the 32-byte HMAC-SHA256 of <paramref name="data"/> under <paramref name="key"/>; returns 32.</summary>
    public static int HashData(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (NativeSha256.IsAvailable && key.Length <= BlockSize && destination.Length >= HMACSHA256.HashSizeInBytes)
        {
            // The same construction over libcrypto's low-level SHA-256, without the provider layer's set-up (D27).
            NativeSha256.HashData(key, data, destination);
            return HMACSHA256.HashSizeInBytes;
        }

        return HashDataManaged(key, data, destination);
    }

    /// <summary>As <see cref="HashData"/>, always over .NET's <see cref="IncrementalHash"/>: the path where libcrypto's SHA-256 is not available.</summary>
    internal static int HashDataManaged(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (key.Length > BlockSize || destination.Length < HMACSHA256.HashSizeInBytes)
        {
            // Longer keys are hashed first (RFC 2104); our keys are 32 bytes, so leave that case to the platform.
            return HMACSHA256.HashData(key, data, destination);
        }

        // One buffer per hash, so that each is a single append: (K ^ ipad) || m when m is short, then (K ^ opad) || inner.
        var inline = data.Length <= InlineDataLimit;
        Span<ulong> innerWords = stackalloc ulong[(BlockSize + InlineDataLimit) / sizeof(ulong)];
        Span<ulong> outerWords = stackalloc ulong[(BlockSize + HMACSHA256.HashSizeInBytes) / sizeof(ulong)];
        var innerInput = MemoryMarshal.AsBytes(innerWords)[..(BlockSize + (inline ? data.Length : 0))];
        var outerInput = MemoryMarshal.AsBytes(outerWords);
        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            var innerPad = innerWords[..(BlockSize / sizeof(ulong))];
            var outerPad = outerWords[..(BlockSize / sizeof(ulong))];
            innerPad.Clear();
            key.CopyTo(MemoryMarshal.AsBytes(innerPad));
            for (var i = 0; i < innerPad.Length; i++)
            {
                outerPad[i] = innerPad[i] ^ OuterPad;
                innerPad[i] ^= InnerPad;
            }

            if (inline)
            {
                data.CopyTo(innerInput[BlockSize..]);
                sha256.AppendData(innerInput);
            }
            else
            {
                sha256.AppendData(innerInput);
                sha256.AppendData(data);
            }

            sha256.GetHashAndReset(outerInput[BlockSize..]);
            sha256.AppendData(outerInput);
            return sha256.GetHashAndReset(destination);
        }
        catch
        {
            // A hash left half-fed must never be reused: drop it, and let the caller fail closed.
            t_sha256 = null;
            sha256.Dispose();
            throw;
        }
        finally
        {
            // The pads are the key in disguise (the data and the inner hash are not secret).
            CryptographicOperations.ZeroMemory(innerInput[..BlockSize]);
            CryptographicOperations.ZeroMemory(outerInput[..BlockSize]);
        }
    }
}
