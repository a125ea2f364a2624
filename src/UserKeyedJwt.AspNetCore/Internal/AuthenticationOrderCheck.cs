using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// The authorization middleware's result handler, wrapping ASP.NET Core's default one: it warns, once, when a request with a
/// bearer token reaches authorization and no authentication handler ran for it (<c>UseAuthorization()</c> before
/// <c>UseAuthentication()</c>, or a default scheme that is not ours), which would otherwise look like a request without a token.
/// </summary>
internal sealed class AuthenticationOrderCheck(UserKeyedJwtBearerRegistry registry, ILogger<AuthenticationOrderCheck> logger)
    : IAuthorizationMiddlewareResultHandler
{
    private const string BearerPrefix = "Bearer ";

    // A rejected token leaves no IAuthenticateResultFeature (the middleware sets it on success only): our handler marks it.
    private static readonly object HandledKey = new();

    private readonly AuthorizationMiddlewareResultHandler _inner = new();
    private int _warned;

    public static void MarkHandled(HttpContext context) => context.Items[HandledKey] = true;

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (Volatile.Read(ref _warned) == 0 && NoHandlerRan(context, policy) && Interlocked.Exchange(ref _warned, 1) == 0)
        {
            Log.BearerTokenNotAuthenticated(logger, context.Request.Path.Value ?? "/", string.Join(", ", registry.Schemes));
        }

        return _inner.HandleAsync(next, context, policy, authorizeResult);
    }

    private static bool NoHandlerRan(HttpContext context, AuthorizationPolicy policy) =>
        policy.AuthenticationSchemes.Count == 0
        && context.Features.Get<IAuthenticateResultFeature>() is null
        && !context.Items.ContainsKey(HandledKey)
        && context.Request.Headers.Authorization.ToString().StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);
}
