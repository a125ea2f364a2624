using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.AspNetCore.IdentityApi;

namespace Microsoft.AspNetCore.Routing;

/// <summary>Maps ASP.NET Core Identity's API endpoints over UserKeyedJwt sessions: a drop-in for <c>MapIdentityApi&lt;TUser&gt;()</c>.</summary>
public static class UserKeyedIdentityApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the routes of <c>MapIdentityApi&lt;TUser&gt;()</c>, with its request and response JSON (the types of
    /// <c>Microsoft.AspNetCore.Identity.Data</c> and <c>AccessTokenResponse</c>), whose tokens are user-keyed session JWTs:
    /// <c>POST /register</c>, <c>/login</c>, <c>/refresh</c>, <c>GET /confirmEmail</c>, <c>POST /resendConfirmationEmail</c>,
    /// <c>/forgotPassword</c>, <c>/resetPassword</c>, <c>/manage/2fa</c>, <c>GET</c> and <c>POST /manage/info</c>; and adds
    /// <c>POST /logout</c>, <c>/logoutOthers</c>, <c>/logoutAll</c> (204), <c>GET /manage/sessions</c> and
    /// <c>DELETE /manage/sessions/{id}</c> (204, or 404 for an unknown id or another user's session).
    /// </summary>
    /// <remarks>
    /// <para>Where it differs from <c>MapIdentityApi</c>, on purpose:</para>
    /// <list type="bullet">
    /// <item>bearer tokens only: <c>/login?useCookies=true</c> (or <c>useSessionCookies</c>) answers 400 with a problem naming the parameter;</item>
    /// <item>a password change, a password reset, a confirmed email change, and turning 2FA on or off or resetting its key
    /// revoke every earlier access and refresh token of the user on the next request, the caller's own included; no new
    /// token is minted in their place, so the caller logs in again;</item>
    /// <item><c>/refresh</c> rotates: the refresh token is spent, the answer carries the next one, and a spent one presented
    /// again ends its session (401); a store outage answers 503;</item>
    /// <item>every <c>/login</c> outcome costs one password hash, failed two-factor and recovery codes count toward lockout,
    /// changing the password through <c>/manage/info</c> counts a wrong current password toward lockout and is refused while
    /// locked out, and passwords are at most <see cref="UserKeyedIdentityApiDefaults.MaxPasswordLength"/> characters;</item>
    /// <item>a confirmation link to an email that is already another account's user name answers 401 and changes nothing,
    /// where <c>MapIdentityApi</c> changes the email and then fails to change the user name;</item>
    /// <item><c>/manage/2fa</c> reports <c>isMachineRemembered</c> false, and <c>forgetMachine</c> does nothing: no cookie remembers a machine.</item>
    /// </list>
    /// <para>
    /// Needs <c>services.AddUserKeyedIdentityApiEndpoints&lt;TUser&gt;()</c> (or its parts) and the UserKeyedJwt settings.
    /// Call <see cref="EndpointRouteBuilderExtensions.MapGroup(IEndpointRouteBuilder, string)"/> first to add a prefix;
    /// mapping twice is allowed, each confirmation link pointing to its own group.
    /// </para>
    /// </remarks>
    /// <typeparam name="TUser">The Identity user type.</typeparam>
    /// <param name="endpoints">The route builder, or a group of it.</param>
    /// <returns>A builder to add conventions to every endpoint mapped (rate limiting, CORS...).</returns>
    /// <exception cref="InvalidOperationException">The sessions service or the email sender of <typeparamref name="TUser"/> is not registered.</exception>
    public static IEndpointConventionBuilder MapUserKeyedIdentityApi<TUser>(this IEndpointRouteBuilder endpoints)
        where TUser : class, new()
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<IServiceProviderIsService>() is { } registered)
        {
            foreach (var required in new[] { typeof(IUserSessionService<TUser>), typeof(UserManager<TUser>), typeof(IEmailSender<TUser>) })
            {
                if (!registered.IsService(required))
                {
                    throw IdentityApiErrors.NotRegistered(typeof(TUser), required);
                }
            }
        }

        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("UserKeyedJwt.AspNetCore.IdentityApi");
        return new IdentityApiEndpoints<TUser>(logger).Map(endpoints);
    }
}
