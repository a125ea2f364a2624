using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// Wraps the application's <see cref="JwtBearerEvents"/> (an instance, or an <c>EventsType</c> resolved per request) and adds
/// the uniform challenge: <c>WWW-Authenticate: Bearer error="invalid_token"</c> with no description, or the configured status
/// code when the user store was unavailable. The application's handlers run unchanged and may still take over the response.
/// </summary>
internal sealed class UserKeyedJwtBearerEvents : JwtBearerEvents
{
    private const string InvalidToken = "invalid_token";

    private readonly JwtBearerEvents _inner;
    private readonly Type? _innerType;
    private readonly IOptionsMonitor<UserKeyedJwtBearerOptions> _options;
    private readonly ILogger _logger;

    public UserKeyedJwtBearerEvents(JwtBearerEvents? inner, Type? innerType, IOptionsMonitor<UserKeyedJwtBearerOptions> options, ILogger logger)
    {
        _inner = inner ?? new JwtBearerEvents();
        _innerType = innerType;
        _options = options;
        _logger = logger;
    }

    public override async Task MessageReceived(MessageReceivedContext context)
    {
        await Inner(context.HttpContext).MessageReceived(context).ConfigureAwait(false);
        await base.MessageReceived(context).ConfigureAwait(false);
    }

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        await Inner(context.HttpContext).TokenValidated(context).ConfigureAwait(false);
        await base.TokenValidated(context).ConfigureAwait(false);
    }

    public override async Task AuthenticationFailed(AuthenticationFailedContext context)
    {
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
        // error code. The reason (revoked, forged, expired...) is in logs and metrics only: a description would tell an
        // attacker which of their guesses got further.
        context.Error = context.AuthenticateFailure is null ? null : InvalidToken;
        context.ErrorDescription = null;
        context.ErrorUri = null;

        await Inner(context.HttpContext).Challenge(context).ConfigureAwait(false);
        await base.Challenge(context).ConfigureAwait(false);
        if (context.Handled)
        {
            return;
        }

        var statusCode = _options.CurrentValue.StoreUnavailableStatusCode;
        if (statusCode != StatusCodes.Status401Unauthorized
            && (IsStoreUnavailable(context.AuthenticateFailure) || UserKeyedJwtBearerPrefetch.Find(context.HttpContext)?.FailureReason == TokenFailureReason.StoreUnavailable))
        {
            Log.StoreUnavailableChallenge(_logger, statusCode);
            context.Response.StatusCode = statusCode;
            context.HandleResponse();
        }
    }

    internal static bool IsStoreUnavailable(Exception? failure) => failure switch
    {
        UserKeyedTokenValidationException { Reason: TokenFailureReason.StoreUnavailable } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(static e => IsStoreUnavailable(e)),
        _ => false,
    };

    private JwtBearerEvents Inner(HttpContext httpContext) =>
        _innerType is null ? _inner : (JwtBearerEvents)httpContext.RequestServices.GetRequiredService(_innerType);
}
