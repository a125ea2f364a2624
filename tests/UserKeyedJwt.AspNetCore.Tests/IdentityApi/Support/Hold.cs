namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

/// <summary>
/// Holds the next call that passes through it, once armed, until released: a test then commits a change while that call is
/// known to be in flight, at a known point, instead of hoping a scheduler interleaves the two.
/// </summary>
public sealed class Hold
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _reached;
    private TaskCompletionSource? _released;

    /// <summary>Arms the hold for the next call; the task returned completes when that call is held.</summary>
    public Task Arm()
    {
        lock (_lock)
        {
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _reached.Task;
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _released?.TrySetResult();
        }
    }

    /// <summary>Called by the wrapped service at the point to hold: waits when armed, once; passes straight through otherwise.</summary>
    public async Task PassAsync()
    {
        TaskCompletionSource? released;
        lock (_lock)
        {
            if (_reached is null || _reached.Task.IsCompleted)
            {
                return;
            }

            _reached.SetResult();
            released = _released;
        }

        await released!.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}

/// <summary>The app's session store, held between a refresh's reads and its compare-and-set when armed.</summary>
public sealed class HeldSessionStore(IUserKeyedSessionStore inner, Hold beforeAdvance) : IUserKeyedSessionStore
{
    public ValueTask<IReadOnlyList<string>> AddAsync(UserKeyedSession session, int maxSessionsPerUser, CancellationToken cancellationToken) =>
        inner.AddAsync(session, maxSessionsPerUser, cancellationToken);

    public ValueTask<UserKeyedSession?> FindAsync(string sessionId, CancellationToken cancellationToken) => inner.FindAsync(sessionId, cancellationToken);

    public ValueTask<IReadOnlyList<UserKeyedSession>> ListAsync(string userId, CancellationToken cancellationToken) => inner.ListAsync(userId, cancellationToken);

    public async ValueTask<bool> TryAdvanceAsync(string sessionId, long expectedGeneration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await beforeAdvance.PassAsync();
        return await inner.TryAdvanceAsync(sessionId, expectedGeneration, now, cancellationToken);
    }

    public ValueTask<bool> RemoveAsync(string userId, string sessionId, CancellationToken cancellationToken) => inner.RemoveAsync(userId, sessionId, cancellationToken);

    public ValueTask<IReadOnlyList<string>> RemoveAllAsync(string userId, string? exceptSessionId, CancellationToken cancellationToken) =>
        inner.RemoveAllAsync(userId, exceptSessionId, cancellationToken);

    public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, DateTimeOffset inactiveSince, CancellationToken cancellationToken) =>
        inner.RemoveExpiredAsync(now, inactiveSince, cancellationToken);
}

/// <summary>The app's key-inputs source (Identity's), held after it has read a user's inputs when armed.</summary>
public sealed class HeldInputsSource(IUserKeyInputsSource inner, Hold afterRead) : IUserKeyInputsSource
{
    public async ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var inputs = await inner.FindAsync(userId, cancellationToken);
        await afterRead.PassAsync();
        return inputs;
    }
}
