using System.Collections.Concurrent;

namespace UserKeyedJwt.Tool.Database;

/// <summary>
/// Why a store read failed, for the explanation of <see cref="TokenFailureReason.StoreUnavailable"/>: the validator itself
/// only says that it failed. Holds the exception's type and message, never a row.
/// </summary>
internal sealed class StoreFailures
{
    private readonly ConcurrentQueue<string> _failures = new();

    public IReadOnlyCollection<string> All => _failures;

    public void Record(string table, Exception exception)
    {
        var inner = exception.GetBaseException();
        _failures.Enqueue($"{table}: {inner.GetType().Name}: {inner.Message.TrimEnd('.')}");
    }
}
