using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace UserKeyedJwt.Internal;

/// <summary>
/// Constant-time equality for the short values the hot path compares (a 32-byte signature, a kid's 66 bytes of text, a
/// 44-byte tag text). <see cref="CryptographicOperations.FixedTimeEquals"/> is compiled with
/// <see cref="MethodImplOptions.NoOptimization"/> and costs about 3.5 ns a byte here, which made three comparisons per
/// validation 8% of a whole static-key validation (D24).
/// </summary>
/// <remarks>
/// The loop reads both inputs in 8-byte words and ORs their XORs together; it has no branch on the data, visits every
/// byte whatever the inputs are, and decides once, at the end. The time depends only on the length, which is public here
/// (a signature's, a kid's, a tag's). Equality with <see cref="CryptographicOperations.FixedTimeEquals"/> is a property test.
/// </remarks>
internal static class FixedTime
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool Equal(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        ulong difference = 0;
        var i = 0;
        for (; i <= left.Length - sizeof(ulong); i += sizeof(ulong))
        {
            difference |= BinaryPrimitives.ReadUInt64LittleEndian(left[i..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(right[i..]);
        }

        for (; i < left.Length; i++)
        {
            difference |= (uint)(left[i] ^ right[i]);
        }

        return difference == 0;
    }

    /// <summary>As <see cref="Equal(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, over the UTF-16 code units of two texts.</summary>
    public static bool Equal(ReadOnlySpan<char> left, ReadOnlySpan<char> right) =>
        Equal(MemoryMarshal.AsBytes(left), MemoryMarshal.AsBytes(right));
}
