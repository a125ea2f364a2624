using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// Resident memory per cached user: the managed heap after a full GC, before and after the validator has cached the keys of N
/// distinct users. Everything else (store, tokens) exists in both measurements; the cache keys on the token's subject, a
/// string each parse allocates, so the id the cache keeps is charged to it.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- memory 100000
/// </summary>
public static class MemoryProbe
{
    private const double GuardRailBytes = 400;

    public static async Task RunAsync(int users)
    {
        var store = new InMemoryUserKeyInputsSource();
        var source = new CountingSource(store);
        await using var provider = BenchmarkHost.Build(source, cacheSize: 2 * users);
        var handler = provider.GetRequiredService<UserKeyedTokenHandler>();
        var issuer = provider.GetRequiredService<UserKeyedTokenIssuer>();
        var cache = provider.GetRequiredService<UserKeyCache>();
        var parameters = handler.CreateValidationParameters();
        var tokens = new string[users];
        for (var i = 0; i < users; i++)
        {
            var user = BenchmarkHost.NewUser();
            store.Set(user);
            tokens[i] = issuer.Issue(user, BenchmarkHost.Claims()).Token;
        }

        // Warm everything that is not per user (JIT, pools), then measure from an empty cache.
        BenchmarkHost.Expect(await handler.ValidateTokenAsync(tokens[0], parameters), null, "memory probe");
        cache.Clear();
        source.Reset();
        var before = Settle();
        for (var i = 0; i < users; i++)
        {
            BenchmarkHost.Expect(await handler.ValidateTokenAsync(tokens[i], parameters), null, "memory probe");
        }

        var after = Settle();
        GC.KeepAlive(tokens);

        // One read and one entry per user, or the difference is not the cost of caching them all.
        if (source.Reads != users || cache.Count != users)
        {
            throw new InvalidOperationException($"memory probe: {source.Reads} store reads and {cache.Count} cached users, expected {users} of each.");
        }

        var perUser = (after - before) / (double)users;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"users={users} cached-bytes={after - before} bytes-per-user={perUser:F1} guard-rail<={GuardRailBytes:F0}: {(perUser <= GuardRailBytes ? "met" : "NOT MET")}"));
    }

    private static long Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
