using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.AspNetCore;

/// <summary>
/// For apps that validate with the older <c>JwtSecurityTokenHandler</c> (<c>JwtBearerOptions.UseSecurityTokenValidators = true</c>).
/// That handler calls the synchronous <see cref="TokenValidationParameters.IssuerSigningKeyResolver"/> itself, which must do no
/// I/O, so the user's key inputs is fetched beforehand, in <see cref="JwtBearerEvents.OnMessageReceived"/>.
/// </summary>
/// <remarks>
/// Not needed with the default <c>JwtBearerOptions.TokenHandlers</c> path, where <see cref="UserKeyedTokenHandler"/> does the
/// lookup itself. Without this helper on the older path, every token is rejected (fail closed).
/// </remarks>
public static class UserKeyedJwtBearerPrefetch
{
    private const string BearerPrefix = "Bearer ";
    private static readonly object ItemsKey = new();

    /// <summary>
    /// A <see cref="JwtBearerEvents.OnMessageReceived"/> handler: reads the bearer token (or takes <see cref="MessageReceivedContext.Token"/>
    /// when an earlier handler set it), runs the cheap checks and the one asynchronous user lookup through
    /// <see cref="UserKeyedTokenHandler.PrefetchAsync"/>, and leaves the prepared parameters in <see cref="HttpContext.Items"/>
    /// for the signing key resolver. It never authenticates anything by itself.
    /// </summary>
    /// <example><code>options.Events.OnMessageReceived = UserKeyedJwtBearerPrefetch.OnMessageReceived;</code></example>
    public static async Task OnMessageReceived(MessageReceivedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var token = context.Token;
        if (string.IsNullOrEmpty(token))
        {
            // The same extraction as JwtBearerHandler, so that both read the same token.
            string authorization = context.Request.Headers.Authorization.ToString();
            if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            {
                token = authorization[BearerPrefix.Length..].Trim();
            }
        }

        if (string.IsNullOrEmpty(token))
        {
            return;
        }

        context.Token = token;
        var handler = context.HttpContext.RequestServices.GetRequiredService<UserKeyedTokenHandler>();
        UserKeyedPrefetchResult? prepared;
        try
        {
            prepared = await handler.PrefetchAsync(token, context.Options.TokenValidationParameters, TokenPurpose.Access, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            prepared = null;
        }

        // Recorded even when rejected, so the resolver can tell "rejected" from "helper not wired", and the challenge can
        // answer a store outage with the configured status code.
        context.HttpContext.Items[ItemsKey] = prepared is null
            ? new Prefetched(token, null, TokenFailureReason.StoreUnavailable)
            : new Prefetched(token, prepared.ValidationParameters, prepared.FailureReason);
    }

    internal static Prefetched? Find(HttpContext? httpContext) =>
        httpContext is not null && httpContext.Items.TryGetValue(ItemsKey, out var value) ? value as Prefetched : null;

    internal sealed record Prefetched(string Token, TokenValidationParameters? Parameters, TokenFailureReason? FailureReason);
}
