using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// Warns at startup when the default authenticate scheme is not a UserKeyedJwt scheme and cannot forward to one (for example
/// <c>AddIdentity&lt;,&gt;()</c>'s cookie, or another <c>AddJwtBearer()</c>): endpoints that name no scheme then never see our
/// handler, and answer 302 or "issuer is invalid" without a word in the log. Policy schemes and schemes with a forward setting
/// may pick ours per request, and a default or fallback authorization policy may name ours: those stay silent.
/// </summary>
internal sealed class DefaultSchemeCheck(
    IAuthenticationSchemeProvider schemes,
    UserKeyedJwtBearerRegistry registry,
    IOptions<AuthorizationOptions> authorization,
    IOptionsMonitor<CookieAuthenticationOptions> cookies,
    IOptionsMonitor<JwtBearerOptions> bearers,
    ILogger<DefaultSchemeCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheme = await schemes.GetDefaultAuthenticateSchemeAsync().ConfigureAwait(false);
        if ((scheme is not null && (registry.IsUserKeyedScheme(scheme.Name) || MayForward(scheme))) || PolicyNamesOurs(authorization.Value))
        {
            return;
        }

        Log.DefaultSchemeNotUserKeyed(logger, scheme?.Name ?? "(none)", string.Join(", ", registry.Schemes));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private bool MayForward(AuthenticationScheme scheme)
    {
        if (scheme.HandlerType == typeof(PolicySchemeHandler))
        {
            return true;
        }

        // The two handlers an app most often has beside ours; another handler's forward settings are out of sight.
        AuthenticationSchemeOptions? options = scheme.HandlerType == typeof(CookieAuthenticationHandler) ? cookies.Get(scheme.Name)
            : scheme.HandlerType == typeof(JwtBearerHandler) ? bearers.Get(scheme.Name)
            : null;
        return options is not null
            && (options.ForwardDefault is not null || options.ForwardAuthenticate is not null || options.ForwardDefaultSelector is not null);
    }

    private bool PolicyNamesOurs(AuthorizationOptions options) =>
        options.DefaultPolicy.AuthenticationSchemes.Any(registry.IsUserKeyedScheme)
        || options.FallbackPolicy?.AuthenticationSchemes.Any(registry.IsUserKeyedScheme) == true;
}
