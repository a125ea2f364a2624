using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// Wraps the application's <see cref="JwtBearerEvents"/> (an instance, or an <c>EventsType</c> resolved per request) and adds
/// the user id under Identity's claim type, and the uniform challenge: <c>WWW-Authenticate: Bearer error="invalid_token"</c>
/// with no description (in Development, with the reason), or the configured status code when the user store was unavailable.
/// The application's handlers run unchanged and may still take over the response.
/// </summary>
internal sealed class UserKeyedJwtBearerEvents : JwtBearerEvents
{
    private const string InvalidToken = "invalid_token";

    private readonly JwtBearerEvents _inner;
    private readonly Type? _innerType;
    private readonly IOptionsMonitor<UserKeyedJwtBearerOptions> _options;
    private readonly ILogger _logger;
    private readonly IOptions<IdentityOptions> _identityOptions;
    private readonly bool _describeRejections;

    public UserKeyedJwtBearerEvents(
        JwtBearerEvents? inner,
        Type? innerType,
        IOptionsMonitor<UserKeyedJwtBearerOptions> options,
        IOptions<IdentityOptions> identityOptions,
        bool describeRejections,
        ILogger logger)
    {
        _inner = inner ?? new JwtBearerEvents();
        _innerType = innerType;
        _options = options;
        _identityOptions = identityOptions;
        _describeRejections = describeRejections;
        _logger = logger;
    }

    public override async Task MessageReceived(MessageReceivedContext context)
    {
        await Inner(context.HttpContext).MessageReceived(context).ConfigureAwait(false);
        await base.MessageReceived(context).ConfigureAwait(false);
    }

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        AddIdentityUserId(context.Principal?.Identity as ClaimsIdentity, _identityOptions.Value.ClaimsIdentity.UserIdClaimType);
        await Inner(context.HttpContext).TokenValidated(context).ConfigureAwait(false);
        await base.TokenValidated(context).ConfigureAwait(false);
    }

    public override async Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        AuthenticationOrderCheck.MarkHandled(context.HttpContext);
        await Inner(context.HttpContext).AuthenticationFailed(context).ConfigureAwait(false);
        await base.AuthenticationFailed(context).ConfigureAwait(false);
    }

    public override async Task Forbidden(ForbiddenContext context)
    {
        await Inner(context.HttpContext).Forbidden(context).ConfigureAwait(false);
        await base.Forbidden(context).ConfigureAwait(false);
    }

    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        // RFC 6750 section 3.1: a presented but rejected token gets error="invalid_token"; a request without a token gets no
        // error code. Outside Development the reason (revoked, forged, expired...) is in logs and metrics only: a description
        // would tell an attacker which of their guesses got further.
        var reason = DevelopmentChallenge.ReasonOf(context.AuthenticateFailure) ?? UserKeyedJwtBearerPrefetch.Find(context.HttpContext)?.FailureReason;
        context.Error = context.AuthenticateFailure is null ? null : InvalidToken;
        context.ErrorDescription = _describeRejections && context.AuthenticateFailure is not null ? DevelopmentChallenge.Describe(reason) : null;
        context.ErrorUri = null;

        await Inner(context.HttpContext).Challenge(context).ConfigureAwait(false);
        await base.Challenge(context).ConfigureAwait(false);
        if (context.Handled)
        {
            return;
        }

        var statusCode = _options.CurrentValue.StoreUnavailableStatusCode;
        if (statusCode != StatusCodes.Status401Unauthorized
            && reason == TokenFailureReason.StoreUnavailable)
        {
            Log.StoreUnavailableChallenge(_logger, statusCode);
            context.Response.StatusCode = statusCode;
            context.HandleResponse();
        }
    }

    /// <summary>
    /// Puts the validated <c>sub</c> under <paramref name="userIdClaimType"/> too (ClaimTypes.NameIdentifier by default),
    /// where UserManager.GetUserId and GetUserAsync look, replacing any claim of that type the token carried: the id is
    /// always the signed subject's.
    /// </summary>
    internal static void AddIdentityUserId(ClaimsIdentity? identity, string? userIdClaimType)
    {
        if (identity is null || string.IsNullOrEmpty(userIdClaimType) || userIdClaimType == UserKeyedJwtDefaults.UserIdClaimType
            || identity.FindFirst(UserKeyedJwtDefaults.UserIdClaimType) is not { } subject)
        {
            return;
        }

        while (identity.FindFirst(userIdClaimType) is { } other && identity.TryRemoveClaim(other))
        {
        }

        identity.AddClaim(new Claim(userIdClaimType, subject.Value, subject.ValueType, subject.Issuer, subject.OriginalIssuer, identity));
    }

    private JwtBearerEvents Inner(HttpContext httpContext) =>
        _innerType is null ? _inner : (JwtBearerEvents)httpContext.RequestServices.GetRequiredService(_innerType);
}
