namespace UserKeyedJwt.Tool;

/// <summary>The tool's exit codes, documented in docs/ukjwt.md.</summary>
internal static class ExitCodes
{
    /// <summary>Valid, or done.</summary>
    public const int Ok = 0;

    /// <summary>The token is rejected (or, for <c>inspect</c>, is not a JWS).</summary>
    public const int Rejected = 1;

    /// <summary>A usage or configuration error, or a database the tool could not read.</summary>
    public const int Usage = 2;
}
