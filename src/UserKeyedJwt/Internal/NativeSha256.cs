using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace UserKeyedJwt.Internal;

/// <summary>
/// HMAC-SHA256 over OpenSSL's low-level <c>SHA256_Init</c>/<c>SHA256_Update</c>/<c>SHA256_Final</c>, on Linux, where .NET
/// itself runs on that same libcrypto (D27). The .NET HMAC and hash APIs go through OpenSSL 3's provider layer, whose set-up
/// per call costs more than hashing a token: for a 400-byte input, a keyed <see cref="HMACSHA256"/> reused with the same key
/// took 822 ns here and this path 479 ns (<c>HmacBenchmarks</c>, D27), and it keeps nothing per key.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Only the three functions' documented contracts are used. The context is an opaque stack buffer, larger than
/// <c>SHA256_CTX</c> has ever been (112 bytes), and zeroed after use: after the padded key it holds a key-equivalent state.</item>
/// <item>Available only when the libcrypto .NET runs on loads by its soname, all three symbols resolve (a libcrypto built without deprecated APIs lacks
/// them), and a self-test against <see cref="HMACSHA256"/> passes. Otherwise every caller takes its .NET path; so does a
/// process that sets the <see cref="AppContext"/> switch <c>UserKeyedJwt.DisableNativeSha256</c> (for instance to keep every
/// hash inside a FIPS provider).</item>
/// <item>A failing call throws <see cref="CryptographicException"/>: the token fails, it never passes.</item>
/// </list>
/// </remarks>
internal static unsafe class NativeSha256
{
    internal const string DisableSwitch = "UserKeyedJwt.DisableNativeSha256";

    private const int BlockSize = 64;
    private const int HashSize = 32;
    private const int ContextWords = 32; // 256 bytes, 8-byte aligned; SHA256_CTX is 112
    private const byte InnerPad = 0x36;
    private const byte OuterPad = 0x5c;

    private static readonly delegate* unmanaged[Cdecl]<void*, int> s_init;
    private static readonly delegate* unmanaged[Cdecl]<void*, void*, nuint, int> s_update;
    private static readonly delegate* unmanaged[Cdecl]<void*, void*, int> s_final;

#pragma warning disable CA1810 // The pointers must be set, and the self-test run, before IsAvailable is read: one static constructor.
    static NativeSha256()
#pragma warning restore CA1810
    {
        if (!OperatingSystem.IsLinux() || DisabledBySwitch)
        {
            return;
        }

        // The libcrypto .NET itself loaded, by its soname, so that the loader hands back that very library: never a second
        // OpenSSL in the process, nor one from the application's folder.
        if (LibraryName() is { } name
            && NativeLibrary.TryLoad(name, typeof(NativeSha256).Assembly, DllImportSearchPath.SafeDirectories, out var library)
            && NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
            && NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
            && NativeLibrary.TryGetExport(library, "SHA256_Final", out var final))
        {
            s_init = (delegate* unmanaged[Cdecl]<void*, int>)init;
            s_update = (delegate* unmanaged[Cdecl]<void*, void*, nuint, int>)update;
            s_final = (delegate* unmanaged[Cdecl]<void*, void*, int>)final;
            IsAvailable = SelfTestPasses();
        }
    }

    /// <summary>Whether the process opted out with the <c>UserKeyedJwt.DisableNativeSha256</c> switch; read once, before first use.</summary>
    internal static bool DisabledBySwitch => AppContext.TryGetSwitch(DisableSwitch, out var disabled) && disabled;

    /// <summary>Whether <see cref="HashData"/> may be called.</summary>
    public static bool IsAvailable { get; }

    /// <summary>
    /// Writes HMAC-SHA256(<paramref name="key"/>, <paramref name="data"/>) to <paramref name="destination"/>. Only when
    /// <see cref="IsAvailable"/>; <paramref name="key"/> at most 64 bytes, <paramref name="destination"/> at least 32.
    /// </summary>
    public static void HashData(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (!IsAvailable || key.Length > BlockSize || destination.Length < HashSize)
        {
            throw new CryptographicException();
        }

        Compute(key, data, destination);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static string? LibraryName()
    {
        try
        {
            // OPENSSL_VERSION_NUMBER of the library .NET runs on: 0x3.. for 3.x (soname libcrypto.so.3), 0x101.. for 1.1.x.
            var version = SafeEvpPKeyHandle.OpenSslVersion;
            return (version >> 28) switch
            {
                >= 3 => $"libcrypto.so.{version >> 28}",
                1 when ((version >> 20) & 0xFF) == 1 => "libcrypto.so.1.1",
                _ => null,
            };
        }
#pragma warning disable CA1031 // Whatever keeps .NET from naming its OpenSSL, the native path is not used.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static void Xor(Span<byte> block, int pad)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(block);
        var mask = 0x0101010101010101UL * (byte)pad;
        for (var i = 0; i < words.Length; i++)
        {
            words[i] ^= mask;
        }
    }

    private static bool SelfTestPasses()
    {
        try
        {
            // Keys and data of the lengths that matter (empty, under, at and over a block), against .NET's HMAC.
            Span<byte> key = stackalloc byte[BlockSize];
            Span<byte> data = stackalloc byte[200];
            Span<byte> expected = stackalloc byte[HashSize];
            Span<byte> actual = stackalloc byte[HashSize];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = unchecked((byte)((i * 7) + 1));
            }

            key.Fill(0xA5);
            foreach (var (keyLength, dataLength) in (ReadOnlySpan<(int, int)>)[(32, 0), (20, 8), (32, 55), (32, 64), (64, 200), (0, 1)])
            {
                HMACSHA256.HashData(key[..keyLength], data[..dataLength], expected);
                Compute(key[..keyLength], data[..dataLength], actual);
                if (!expected.SequenceEqual(actual))
                {
                    return false;
                }
            }

            return true;
        }
#pragma warning disable CA1031 // Any failure of the native path means it is not used.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    // HashData without the availability check, also for the self-test that decides availability.
    private static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var context = stackalloc ulong[ContextWords];
        var pad = stackalloc byte[BlockSize];
        var inner = stackalloc byte[HashSize];
        try
        {
            var padSpan = new Span<byte>(pad, BlockSize);
            padSpan.Clear();
            key.CopyTo(padSpan);
            Xor(padSpan, InnerPad);
            var ok = s_init(context) == 1 && s_update(context, pad, BlockSize) == 1;
            fixed (byte* input = data)
            {
                // A non-null pointer even for empty data: SHA256_Update(ctx, NULL, 0) is fine, but be strict anyway.
                ok = ok && s_update(context, input is null ? pad : input, (nuint)data.Length) == 1;
            }

            ok = ok && s_final(inner, context) == 1;
            Xor(padSpan, InnerPad ^ OuterPad);
            ok = ok && s_init(context) == 1 && s_update(context, pad, BlockSize) == 1 && s_update(context, inner, HashSize) == 1;
            fixed (byte* output = destination)
            {
                ok = ok && s_final(output, context) == 1;
            }

            if (!ok)
            {
                throw new CryptographicException();
            }
        }
        finally
        {
            // The contexts' chaining values after a padded key are as good as the key; the pads are the key.
            new Span<ulong>(context, ContextWords).Clear();
            new Span<byte>(pad, BlockSize).Clear();
            new Span<byte>(inner, HashSize).Clear();
        }
    }
}
