namespace UserKeyedJwt.Tool;

/// <summary>A usage or configuration error: the command prints the message and exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
