using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>
/// Each credential change racing the user's (and a thief's) refreshes and validations over HTTP. Once the change's response
/// has returned, no token issued before it may authenticate, nor any pair from a refresh that started before it returned
/// and finished after. Free-running rounds, and two holds that pin the worst interleavings: a refresh between its reads and
/// its compare-and-set, and a validation between its read of the user's inputs and its write to the key cache.
/// </summary>
public sealed class IdentityApiRaceTests
{
    private const int Rounds = 10;

    [Theory]
    [MemberData(nameof(CredentialChange.Names), MemberType = typeof(CredentialChange))]
    public async Task CredentialChange_RacingRefreshesAndValidations_LeavesNoEarlierTokenAlive(string name)
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        var change = CredentialChange.All[name]();
        var survivals = new List<string>();
        var straddling = 0;

        for (var round = 0; round < Rounds; round++)
        {
            await change.PrepareAsync(account);
            var victim = await account.LoginAsync();
            var thief = await account.LoginAsync();
            await account.AssertWorksAsync(victim);
            await account.AssertWorksAsync(thief);

            var race = new Race(client, [victim, thief]);
            await race.RunAsync(() => change.CommitAsync(account), commitAfterRefreshes: round % 4);
            survivals.AddRange(race.Survivals.Select(s => $"round {round}: {s}"));
            straddling += race.Straddling;
        }

        Assert.Empty(survivals);
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {straddling} refreshes were in flight when the change returned, over {Rounds} rounds.");
    }

    [Theory]
    [MemberData(nameof(CredentialChange.Names), MemberType = typeof(CredentialChange))]
    public async Task CredentialChange_WhileARefreshIsBetweenItsReadsAndItsWrite_ThePairItReturnsIsDead(string name)
    {
        var beforeAdvance = new Hold();
        await using var host = await IdentityApiHost.StartAsync(services: s => s.AddSingleton<IUserKeyedSessionStore>(sp =>
            new HeldSessionStore(new InMemoryUserKeyedSessionStore(sp.GetRequiredService<TimeProvider>()), beforeAdvance)));
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        var change = CredentialChange.All[name]();
        await change.PrepareAsync(account);
        var thief = await account.LoginAsync();
        await account.AssertWorksAsync(thief);

        var held = beforeAdvance.Arm();
        var refresh = client.RefreshAsync(thief.Refresh);
        await held;
        try
        {
            await change.CommitAsync(account);
        }
        finally
        {
            beforeAdvance.Release();
        }

        // It read the user's inputs before the change: it may answer with a pair, but not with one that works.
        using var response = await refresh;
        if (response.StatusCode == HttpStatusCode.OK)
        {
            await account.AssertEndedAsync(await TokenPair.ReadAsync(response));
        }
        else
        {
            Asserts.UnauthorizedAndEmpty(response);
        }

        await account.AssertEndedAsync(thief);
    }

    [Theory]
    [MemberData(nameof(CredentialChange.Names), MemberType = typeof(CredentialChange))]
    public async Task CredentialChange_WhileAValidationHoldsTheOldInputs_TheOldKeyIsNotCached(string name)
    {
        var afterRead = new Hold();
        await using var host = await IdentityApiHost.StartAsync(services: s =>
        {
            var identitys = s.Last(static d => d.ServiceType == typeof(IUserKeyInputsSource));
            s.AddSingleton<IUserKeyInputsSource>(sp => new HeldInputsSource((IUserKeyInputsSource)ActivatorUtilities.CreateInstance(sp, identitys.ImplementationType!), afterRead));
        });
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        var change = CredentialChange.All[name]();
        await change.PrepareAsync(account);
        var victim = await account.LoginAsync();

        // The victim's key is not cached yet, so this validation reads the user's inputs, and is held right after.
        var held = afterRead.Arm();
        var validation = client.HelloStatusAsync(victim.Access);
        await held;
        try
        {
            await change.CommitAsync(account);
        }
        finally
        {
            afterRead.Release();
        }

        // It started before the change returned, so either answer is right; what it must not do is cache the old key.
        Assert.Contains(await validation, new[] { HttpStatusCode.OK, HttpStatusCode.Unauthorized });
        await account.AssertEndedAsync(victim);
    }

    /// <summary>One round: refresh chains and validators running while a change commits, recording what outlived it.</summary>
    private sealed class Race(IdentityApiClient client, TokenPair[] pairs)
    {
        private readonly ConcurrentQueue<string> _accessTokens = new(pairs.Select(static p => p.Access));
        private readonly ConcurrentQueue<string> _refreshTokens = new(pairs.Select(static p => p.Refresh));
        private readonly ConcurrentQueue<string> _survivals = new();
        private readonly TaskCompletionSource _refreshedEnough = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _committed;
        private int _refreshes;
        private int _straddling;
        private int _target;

        public IReadOnlyCollection<string> Survivals => _survivals;

        public int Straddling => _straddling;

        public async Task RunAsync(Func<Task> commit, int commitAfterRefreshes)
        {
            _target = commitAfterRefreshes;
            if (commitAfterRefreshes == 0)
            {
                _refreshedEnough.TrySetResult();
            }

            var workers = pairs.Select(p => Task.Run(() => RefreshChainAsync(p.Refresh)))
                .Concat(Enumerable.Range(0, 2).Select(_ => Task.Run(ValidateAsync)))
                .ToArray();
            try
            {
                await _refreshedEnough.Task.WaitAsync(TimeSpan.FromSeconds(30));
                await commit();
            }
            finally
            {
                _committed = true;
            }

            await Task.WhenAll(workers);

            // Quiet now: every token of the round, whenever it was issued, must be refused.
            foreach (var access in _accessTokens)
            {
                if (await client.HelloStatusAsync(access) != HttpStatusCode.Unauthorized)
                {
                    _survivals.Enqueue("an access token authenticated after the change");
                }
            }

            foreach (var refresh in _refreshTokens)
            {
                using var response = await client.RefreshAsync(refresh);
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                {
                    _survivals.Enqueue($"a refresh token was answered {(int)response.StatusCode} after the change");
                }
            }
        }

        private async Task RefreshChainAsync(string refresh)
        {
            while (true)
            {
                var startedAfter = _committed;
                using var response = await client.RefreshAsync(refresh);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return;
                }

                var pair = await TokenPair.ReadAsync(response);
                _accessTokens.Enqueue(pair.Access);
                _refreshTokens.Enqueue(pair.Refresh);
                if (startedAfter)
                {
                    _survivals.Enqueue("a refresh that started after the change returned got a pair");
                    return;
                }

                if (_committed)
                {
                    Interlocked.Increment(ref _straddling);
                }

                if (Interlocked.Increment(ref _refreshes) >= _target)
                {
                    _refreshedEnough.TrySetResult();
                }

                refresh = pair.Refresh;
            }
        }

        private async Task ValidateAsync()
        {
            while (true)
            {
                var startedAfter = _committed;
                foreach (var access in _accessTokens.ToArray())
                {
                    if (await client.HelloStatusAsync(access) == HttpStatusCode.OK && startedAfter)
                    {
                        _survivals.Enqueue("an access token authenticated on a request that started after the change returned");
                    }
                }

                if (startedAfter)
                {
                    return;
                }
            }
        }
    }
}
