using System.Collections.Concurrent;

namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>
/// Wraps the app's real <see cref="IUserKeyInputsSource"/> (Identity over SQLite): counts every user-store read, so tests
/// can assert that cheap rejections cost none, and keeps every material read, so the log scan knows each stamp and hash
/// the app ever derived a key from. <see cref="Fault"/> lets a test make the store fail the way real stores fail.
/// </summary>
public sealed class RecordingUserKeyInputsSource(IUserKeyInputsSource inner) : IUserKeyInputsSource
{
    private readonly ConcurrentQueue<UserKeyInputs> _read = new();
    private int _reads;

    /// <summary>Runs around each read when set: it may throw, delay, or change the user, and returns what the store returns.</summary>
    public Func<string, Func<ValueTask<UserKeyInputs?>>, CancellationToken, ValueTask<UserKeyInputs?>>? Fault { get; set; }

    public int Reads => Volatile.Read(ref _reads);

    public IReadOnlyCollection<UserKeyInputs> Read => _read;

    public async ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        var fault = Fault;
        var material = fault is null
            ? await inner.FindAsync(userId, cancellationToken)
            : await fault(userId, () => inner.FindAsync(userId, cancellationToken), cancellationToken);
        if (material is not null)
        {
            _read.Enqueue(material);
        }

        return material;
    }
}
