using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
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
        if (!NativeSha256.IsAvailable)
        {
            // Off Linux it must refuse, never compute over pointers it does not have.
            Assert.Throws<CryptographicException>(() => NativeSha256.HashData(key, data, actual));
            return true;
        }

        NativeSha256.HashData(key, data, actual);
        return actual.AsSpan().SequenceEqual(HMACSHA256.HashData(key, data));
    }

    [Fact]
    public void NativeSha256_Availability_MatchesPlatformAndSwitch()
    {
        // .NET on Linux runs on libcrypto, so the fast path must be there; if a change broke its loading or its self-test,
        // every hash would silently take the slower path. Elsewhere, or with the opt-out switch (the fresh process of the
        // next test), it must say it is not available.
        Assert.Equal(OperatingSystem.IsLinux() && !NativeSha256.DisabledBySwitch, NativeSha256.IsAvailable);
    }

    [Fact]
    public async Task DisableSwitch_SetInRuntimeConfig_TurnsTheNativePathOffInThatProcess()
    {
        // The switch is read once per process, so it is tested in a fresh one: this test assembly again, with a copy of its
        // runtimeconfig that sets the switch, running the availability test above (which then expects "off") and the HMAC
        // tests, which then take the managed path throughout.
        var cancel = TestContext.Current.CancellationToken;
        var assembly = typeof(PaddedHmacSha256Tests).Assembly.Location;
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(assembly, ".runtimeconfig.json"), cancel))!.AsObject();
        var options = config["runtimeOptions"]!.AsObject();
        if (options["configProperties"] is not JsonObject properties)
        {
            options["configProperties"] = properties = [];
        }

        properties[NativeSha256.DisableSwitch] = true;
        var configPath = Path.Combine(Path.GetTempPath(), $"ukj-{Guid.NewGuid():N}.runtimeconfig.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString(), cancel);
        try
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
            var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
            string[] arguments = ["exec", "--runtimeconfig", configPath, "--depsfile", Path.ChangeExtension(assembly, ".deps.json"), assembly];
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            string[] methods = [nameof(NativeSha256_Availability_MatchesPlatformAndSwitch), nameof(HashData_AnyKeyAndData_EqualsHmacSha256), nameof(HashData_Rfc4231TestCase2_MatchesTheVector), nameof(HashData_ManyThreadsAndKeys_EachMatchesHmacSha256)];
            foreach (var method in methods)
            {
                // Run directly, the assembly is xunit's own console runner: -method takes a fully qualified name.
                start.ArgumentList.Add("-method");
                start.ArgumentList.Add($"{typeof(PaddedHmacSha256Tests).FullName}.{method}");
            }

            start.ArgumentList.Add("-noColor");

            using var child = Process.Start(start)!;
            var output = child.StandardOutput.ReadToEndAsync(cancel);
            var error = child.StandardError.ReadToEndAsync(cancel);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            try
            {
                await child.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                child.Kill(entireProcessTree: true); // never leave a hung child behind
                throw;
            }

            // All four must have run and passed: a filter that matched nothing would also exit with 0.
            Assert.True(child.ExitCode == 0, $"exit code {child.ExitCode}\n{await output}\n{await error}");
            Assert.Contains($"Total: {methods.Length}, Errors: 0, Failed: 0, Skipped: 0", await output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(configPath);
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
