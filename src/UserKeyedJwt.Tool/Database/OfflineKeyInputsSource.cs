namespace UserKeyedJwt.Tool.Database;

/// <summary>
/// Stands in for the user store when no database is given. The handler asks it only once a token passed every check that
/// needs no I/O, so being asked is the answer: those checks passed.
/// </summary>
internal sealed class OfflineKeyInputsSource : IUserKeyInputsSource
{
    public bool Asked { get; private set; }

    public ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        Asked = true;
        return ValueTask.FromResult<UserKeyInputs?>(null);
    }
}
