using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using UserKeyedJwt;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.AspNetCore.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers JwtBearer authentication that validates UserKeyedJwt tokens: the overloads of <c>AddJwtBearer</c>.</summary>
/// <remarks>
/// The core (server secrets, issuer, audience, lifetimes) is configured with <c>services.AddUserKeyedJwt(...)</c> or bound
/// from the <c>UserKeyedJwt</c> configuration section. Every overload calls the full one, and calling it twice for one scheme
/// is harmless: the scheme is added once, and a second delegate configures it as well.
/// </remarks>
public static class UserKeyedJwtBearerExtensions
{
    /// <summary>Adds the <see cref="UserKeyedJwtDefaults.AuthenticationScheme"/> scheme.</summary>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder)
        => builder.AddUserKeyedJwtBearer(UserKeyedJwtDefaults.AuthenticationScheme, displayName: null, static _ => { });

    /// <summary>Adds the <see cref="UserKeyedJwtDefaults.AuthenticationScheme"/> scheme and configures its JwtBearer options.</summary>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder, Action<JwtBearerOptions> configureOptions)
        => builder.AddUserKeyedJwtBearer(UserKeyedJwtDefaults.AuthenticationScheme, displayName: null, configureOptions);

    /// <summary>Adds a UserKeyedJwt scheme named <paramref name="authenticationScheme"/> and configures its JwtBearer options.</summary>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder, string authenticationScheme, Action<JwtBearerOptions> configureOptions)
        => builder.AddUserKeyedJwtBearer(authenticationScheme, displayName: null, configureOptions);

    /// <summary>
    /// Adds a JwtBearer scheme that validates UserKeyedJwt tokens, and the core services
    /// (<see cref="UserKeyedJwtServiceCollectionExtensions.AddUserKeyedJwt(IServiceCollection)"/>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The singleton <see cref="UserKeyedTokenHandler"/> becomes the only entry of <see cref="JwtBearerOptions.TokenHandlers"/>,
    /// <see cref="JwtBearerOptions.TokenValidationParameters"/> come from <see cref="UserKeyedTokenHandler.CreateValidationParameters"/>
    /// with a signing key resolver that also serves <see cref="UserKeyedJwtBearerPrefetch"/>, and
    /// <see cref="JwtBearerOptions.IncludeErrorDetails"/> and <see cref="JwtBearerOptions.MapInboundClaims"/> are off. These are
    /// enforced after <paramref name="configureOptions"/> runs and checked at startup. Everything else, events included, is yours.
    /// </para>
    /// <para>
    /// A validated identity carries the user id in <c>sub</c> and, for <c>UserManager.GetUserId</c> and <c>GetUserAsync</c>,
    /// also under <c>IdentityOptions.ClaimsIdentity.UserIdClaimType</c> (<c>ClaimTypes.NameIdentifier</c> by default).
    /// </para>
    /// <para>
    /// A rejected token gets 401 with <c>WWW-Authenticate: Bearer error="invalid_token"</c> and no description; in the
    /// Development environment only, <c>error_description</c> names the reason. A store failure gets
    /// <see cref="UserKeyedJwtBearerOptions.StoreUnavailableStatusCode"/>. An <see cref="IUserKeyInputsSource"/> must be
    /// registered too, for example by <c>AddIdentityCore&lt;TUser&gt;().AddUserKeyedJwt()</c>. Startup warns when the default
    /// authenticate scheme cannot reach this scheme, and the first request whose bearer token no handler read is logged.
    /// </para>
    /// </remarks>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name; see <see cref="UserKeyedJwtDefaults.AuthenticationScheme"/>.</param>
    /// <param name="displayName">The scheme's display name.</param>
    /// <param name="configureOptions">Configures JwtBearer: events, <c>SaveToken</c>, claim types.</param>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder, string authenticationScheme, string? displayName, Action<JwtBearerOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        ArgumentNullException.ThrowIfNull(configureOptions);

        var services = builder.Services;
        services.AddUserKeyedJwt();
        services.AddHttpContextAccessor();
        services.TryAddSingleton<PrefetchingSigningKeyResolver>();

        // Registered before AddJwtBearer's own configuration, so Configure runs before the application's delegate.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtBearerOptions>, JwtBearerSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JwtBearerOptions>, JwtBearerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UserKeyedJwtBearerOptions>, UserKeyedJwtBearerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DefaultSchemeCheck>());
        UseAuthenticationOrderCheck(services);
        if (UserKeyedJwtBearerRegistry.GetOrAdd(services).AddScheme(authenticationScheme))
        {
            builder.AddJwtBearer(authenticationScheme, displayName, configureOptions);
            services.AddOptions<JwtBearerOptions>(authenticationScheme).ValidateOnStart();
            services.AddOptions<UserKeyedJwtBearerOptions>().ValidateOnStart();
        }
        else
        {
            services.Configure(authenticationScheme, configureOptions);
        }

        return builder;
    }

    // In place of ASP.NET Core's default result handler whether AddAuthorization ran before or after; an application's own
    // handler is left alone, and the check with it.
    private static void UseAuthenticationOrderCheck(IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IAuthorizationMiddlewareResultHandler) && !services[i].IsKeyedService)
            {
                if (services[i].ImplementationType == typeof(AuthorizationMiddlewareResultHandler))
                {
                    services[i] = ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, AuthenticationOrderCheck>();
                }

                return;
            }
        }

        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthenticationOrderCheck>();
    }
}
