using System.Diagnostics;

namespace UserKeyedJwt;

/// <summary>
/// The <c>UserKeyedJwt</c> activity source. <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null
/// while nobody listens, so validation pays one check and allocates nothing then.
/// </summary>
/// <remarks>
/// Tags carry no user id: traces are often kept longer and read more widely than logs, and the application's own request
/// span can carry the user if it wants to (see <c>docs/observability.md</c>).
/// </remarks>
internal static class UserKeyedJwtActivities
{
    public const string Validate = "UserKeyedJwt.Validate";
    public const string Refresh = "UserKeyedJwt.Refresh";
    public const string PurposeTag = "userkeyedjwt.purpose";
    public const string ResultTag = "userkeyedjwt.result";
    public const string ReasonTag = "userkeyedjwt.failure_reason";

    public static readonly ActivitySource Source = new(UserKeyedJwtDiagnostics.ActivitySourceName);

    public static Activity? StartValidation(TokenPurpose purpose)
    {
        var activity = Source.StartActivity(Validate, ActivityKind.Internal);
        activity?.SetTag(PurposeTag, UserKeyedJwtMetrics.PurposeTag(purpose));
        return activity;
    }

    public static Activity? StartRefresh() => Source.StartActivity(Refresh, ActivityKind.Internal);

    public static void Succeeded(Activity? activity, string result = "success") => activity?.SetTag(ResultTag, result);

    public static void Failed(Activity? activity, TokenFailureReason reason, string result = "failure")
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(ResultTag, result);
        activity.SetTag(ReasonTag, UserKeyedJwtMetrics.ReasonTag(reason));

        // A rejected token is the library working; only a store that failed is an error of the server.
        if (reason == TokenFailureReason.StoreUnavailable)
        {
            activity.SetStatus(ActivityStatusCode.Error, UserKeyedJwtMetrics.ReasonTag(reason));
        }
    }
}
