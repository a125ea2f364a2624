namespace UserKeyedJwt;

/// <summary>
/// The names under which UserKeyedJwt publishes its telemetry, for an OpenTelemetry setup such as
/// <c>.WithMetrics(m =&gt; m.AddMeter(UserKeyedJwtDiagnostics.MeterName)).WithTracing(t =&gt; t.AddSource(UserKeyedJwtDiagnostics.ActivitySourceName))</c>.
/// Every instrument, activity, tag and log event is listed in <c>docs/observability.md</c>.
/// </summary>
public static class UserKeyedJwtDiagnostics
{
    /// <summary>The meter of every instrument of every UserKeyedJwt package (core, Redis): <c>UserKeyedJwt</c>.</summary>
    public const string MeterName = "UserKeyedJwt";

    /// <summary>
    /// The activity source of token validation and refresh: <c>UserKeyedJwt</c>. Its activities carry the purpose, the result
    /// and the failure reason, never a token, a key, a secret or the user's id.
    /// </summary>
    public const string ActivitySourceName = "UserKeyedJwt";
}
