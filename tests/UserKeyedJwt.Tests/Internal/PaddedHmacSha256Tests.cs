using System.Security.Cryptography;
using FsCheck.Xunit;
using UserKeyedJwt.Internal;

namespace UserKeyedJwt.Tests.Internal;

public class PaddedHmacSha256Tests
{
    [Property(MaxTest = 300)]
    public bool HashData_AnyKeyAndData_EqualsHmacSha256(byte[] key, byte[] data, bool longKey)
    {
        key ??= [];
        data ??= [];
        if (longKey)
        {
            // Past the 64-byte block: the platform path, which hashes the key first.
            key = [.. key, .. new byte[65]];
        }

        var actual = new byte[32];
        Assert.Equal(32, PaddedHmacSha256.HashData(key, data, actual));
        var again = new byte[32];
        PaddedHmacSha256.HashData(key, data, again); // the per-thread hash is reusable

        var expected = HMACSHA256.HashData(key, data);
        return actual.AsSpan().SequenceEqual(expected) && again.AsSpan().SequenceEqual(expected);
    }

    [Property(MaxTest = 300)]
    public bool HashDataManaged_AnyKeyAndData_EqualsHmacSha256(byte[] key, byte[] data)
    {
        // The path taken where libcrypto's SHA-256 is not available (Windows, macOS, the opt-out switch).
        key ??= [];
        data ??= [];
        var actual = new byte[32];
        Assert.Equal(32, PaddedHmacSha256.HashDataManaged(key, data, actual));
        return actual.AsSpan().SequenceEqual(HMACSHA256.HashData(key, data));
    }

    [Property(MaxTest = 300)]
    public bool NativeHashData_AnyKeyUpToABlockAndAnyData_EqualsHmacSha256(byte[] key, byte[] data)
    {
        key = (key ?? [])[..Math.Min(64, key?.Length ?? 0)];
        data ??= [];
        var actual = new byte[32];
        NativeSha256.HashData(key, data, actual);
        return actual.AsSpan().SequenceEqual(HMACSHA256.HashData(key, data));
    }

    [Fact]
    public void NativeSha256_OnLinux_IsAvailable()
    {
        // .NET on Linux runs on libcrypto, so the fast path must be there; if a change broke its loading or its self-test,
        // every hash would silently take the slower path. Elsewhere it must say it is not available, and never be called.
        Assert.Equal(OperatingSystem.IsLinux(), NativeSha256.IsAvailable);
    }

    [Fact]
    public void DisableSwitch_WhenSet_IsSeen()
    {
        _ = NativeSha256.IsAvailable; // decided already, so setting the switch here can't change this process's choice
        Assert.False(NativeSha256.DisabledBySwitch);
        AppContext.SetSwitch("UserKeyedJwt.DisableNativeSha256", true);
        try
        {
            Assert.True(NativeSha256.DisabledBySwitch);
        }
        finally
        {
            AppContext.SetSwitch("UserKeyedJwt.DisableNativeSha256", false);
        }
    }

    [Fact]
    public void NativeHashData_KeyLongerThanABlockOrShortDestination_Throws()
    {
        Assert.Throws<CryptographicException>(() => NativeSha256.HashData(new byte[65], [], new byte[32]));
        Assert.Throws<CryptographicException>(() => NativeSha256.HashData(new byte[32], [], new byte[31]));
    }

    [Fact]
    public void HashData_Rfc4231TestCase2_MatchesTheVector()
    {
        var mac = new byte[32];

        PaddedHmacSha256.HashData("Jefe"u8, "what do ya want for nothing?"u8, mac);

        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Convert.ToHexStringLower(mac));
    }

    [Fact]
    public async Task HashData_ManyThreadsAndKeys_EachMatchesHmacSha256()
    {
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                var key = RandomNumberGenerator.GetBytes(32);
                var data = RandomNumberGenerator.GetBytes(i);
                var mac = new byte[32];
                PaddedHmacSha256.HashData(key, data, mac);
                Assert.Equal(HMACSHA256.HashData(key, data), mac);
            }
        }));

        await Task.WhenAll(tasks);
    }
}
