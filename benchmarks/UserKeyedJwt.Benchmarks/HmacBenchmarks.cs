using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// The HMAC primitives the hot path could use, over a typical 400-byte signing input.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- pieces --filter '*Hmac*'
/// </summary>
[MemoryDiagnoser]
public class HmacBenchmarks
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _otherKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _input = RandomNumberGenerator.GetBytes(400);
    private readonly byte[] _output = new byte[32];
    private HMACSHA256 _reused = null!;
    private HMACSHA256 _rekeyed = null!;
    private bool _flip;

    [GlobalSetup]
    public void Setup()
    {
        _reused = new HMACSHA256(_key);
        _rekeyed = new HMACSHA256(_key);
    }

    [Benchmark(Baseline = true, Description = "One-shot HMACSHA256.HashData")]
    public int OneShot() => HMACSHA256.HashData(_key, _input, _output);

    [Benchmark(Description = "Reused instance, same key")]
    public bool Reused() => _reused.TryComputeHash(_input, _output, out _);

    [Benchmark(Description = "Reused instance, new key each call")]
    public bool Rekeyed()
    {
        _flip = !_flip;
        _rekeyed.Key = _flip ? _key : _otherKey;
        return _rekeyed.TryComputeHash(_input, _output, out _);
    }

    [Benchmark(Description = "PaddedHmacSha256 over libcrypto's SHA256_* where available (D27), new key each call")]
    public int PadsOverNativeHash() => UserKeyedJwt.Internal.PaddedHmacSha256.HashData((_flip = !_flip) ? _key : _otherKey, _input, _output);

    [Benchmark(Description = "PaddedHmacSha256 without libcrypto: reused unkeyed IncrementalHash, new key each call")]
    public int PadsOverReusedHash() => UserKeyedJwt.Internal.PaddedHmacSha256.HashDataManaged((_flip = !_flip) ? _key : _otherKey, _input, _output);

    [Benchmark(Description = "HMAC from two one-shot SHA256.HashData")]
    public int PadsOverOneShotHash()
    {
        Span<byte> buffer = stackalloc byte[64 + 400];
        Span<byte> pad = buffer[..64];
        _key.CopyTo(pad);
        pad[32..].Clear();
        for (var i = 0; i < 64; i++)
        {
            pad[i] ^= 0x36;
        }

        _input.CopyTo(buffer[64..]);
        Span<byte> outer = stackalloc byte[96];
        SHA256.HashData(buffer, outer[64..]);
        for (var i = 0; i < 64; i++)
        {
            outer[i] = (byte)(pad[i] ^ 0x36 ^ 0x5c);
        }

        return SHA256.HashData(outer, _output);
    }

    [Benchmark(Description = "Managed HMAC over SHA256.HashData")]
    public int Managed() => ManagedHmac(_key, _input, _output);

    private static int ManagedHmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        Span<byte> pad = stackalloc byte[64];
        Span<byte> inner = stackalloc byte[32];
        key.CopyTo(pad);
        pad[key.Length..].Clear();
        for (var i = 0; i < 64; i++)
        {
            pad[i] ^= 0x36;
        }

        using var ih = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ih.AppendData(pad);
        ih.AppendData(data);
        ih.GetHashAndReset(inner);
        for (var i = 0; i < 64; i++)
        {
            pad[i] ^= 0x36 ^ 0x5c;
        }

        ih.AppendData(pad);
        ih.AppendData(inner);
        return ih.GetHashAndReset(output);
    }
}
