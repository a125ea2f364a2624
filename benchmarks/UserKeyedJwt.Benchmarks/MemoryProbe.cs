using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// Resident memory per cached user: the managed heap after a full GC, before and after the validator has cached
/// the keys of N distinct users. Everything else (source, tokens) exists in both measurements.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- memory 100000
/// </summary>
public static class MemoryProbe
{
    public static async Task RunAsync(int users)
    {
        var source = new InMemoryUserKeyInputsSource();
        await using var provider = BenchmarkHost.Build(new FreshStrings(source), cacheSize: 2 * users);
        var handler = provider.GetRequiredService<UserKeyedTokenHandler>();
        var issuer = provider.GetRequiredService<UserKeyedTokenIssuer>();
        var parameters = handler.CreateValidationParameters();
        var tokens = new string[users];
        for (var i = 0; i < users; i++)
        {
            // Ids as a database would return them: a fresh string per lookup, owned by nobody else.
            var user = BenchmarkHost.NewUser();
            source.Set(user);
            tokens[i] = issuer.Issue(user).Token;
        }

        // Warm everything that is not per user (JIT, pools), then measure.
        await handler.ValidateTokenAsync(tokens[0], parameters);
        provider.GetRequiredService<IUserKeyCache>().Clear();
        var before = Settle();
        for (var i = 0; i < users; i++)
        {
            if (!(await handler.ValidateTokenAsync(tokens[i], parameters)).IsValid)
            {
                throw new InvalidOperationException("a token did not validate");
            }
        }

        var after = Settle();
        GC.KeepAlive(tokens);

        Console.WriteLine($"users={users} cached-bytes={after - before} bytes-per-user={(after - before) / (double)users:F0}");
    }

    /// <summary>Answers with freshly allocated strings, as a database does, so the cache's own copy of the id is counted.</summary>
    private sealed class FreshStrings(IUserKeyInputsSource inner) : IUserKeyInputsSource
    {
        public async ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
        {
            var found = await inner.FindAsync(userId, cancellationToken);
            return found is null ? null : new UserKeyInputs(new string(found.UserId.AsSpan()), new string(found.SecurityStamp.AsSpan()), new string(found.PasswordHash.AsSpan()));
        }
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
