using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using UserKeyedJwt;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.AspNetCore.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers JwtBearer authentication that validates UserKeyedJwt tokens.</summary>
/// <remarks>
/// Every overload calls the full one. Calling it twice is harmless: services are added once, a scheme is added once, and a
/// configuration delegate that was applied already is not applied again (a new delegate is applied as well).
/// </remarks>
public static class UserKeyedJwtBearerExtensions
{
    // Identifies the one-time ValidateOnStart registration in the registry's set of applied delegates.
    private static readonly Action ValidateOnStartMarker = static () => { };

    /// <summary>
    /// Adds the <see cref="UserKeyedJwtDefaults.AuthenticationScheme"/> scheme. Configure <see cref="UserKeyedJwtOptions"/>
    /// elsewhere, for example with <c>services.AddOptions&lt;UserKeyedJwtOptions&gt;().BindConfiguration("UserKeyedJwt")</c>.
    /// </summary>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder)
        => builder.AddUserKeyedJwtBearer(UserKeyedJwtDefaults.AuthenticationScheme, displayName: null, static _ => { }, static _ => { });

    /// <summary>Adds a UserKeyedJwt bearer scheme named <paramref name="authenticationScheme"/>.</summary>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder, string authenticationScheme)
        => builder.AddUserKeyedJwtBearer(authenticationScheme, displayName: null, static _ => { }, static _ => { });

    /// <summary>Adds the <see cref="UserKeyedJwtDefaults.AuthenticationScheme"/> scheme and configures the core.</summary>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder, Action<UserKeyedJwtOptions> configure)
        => builder.AddUserKeyedJwtBearer(UserKeyedJwtDefaults.AuthenticationScheme, displayName: null, configure, static _ => { });

    /// <summary>Adds a UserKeyedJwt bearer scheme named <paramref name="authenticationScheme"/> and configures the core.</summary>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder, string authenticationScheme, Action<UserKeyedJwtOptions> configure)
        => builder.AddUserKeyedJwtBearer(authenticationScheme, displayName: null, configure, static _ => { });

    /// <summary>Adds the <see cref="UserKeyedJwtDefaults.AuthenticationScheme"/> scheme, configures the core and JwtBearer.</summary>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder, Action<UserKeyedJwtOptions> configure, Action<JwtBearerOptions> configureBearer)
        => builder.AddUserKeyedJwtBearer(UserKeyedJwtDefaults.AuthenticationScheme, displayName: null, configure, configureBearer);

    /// <summary>Adds a UserKeyedJwt bearer scheme named <paramref name="authenticationScheme"/>, configures the core and JwtBearer.</summary>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder, string authenticationScheme, Action<UserKeyedJwtOptions> configure, Action<JwtBearerOptions> configureBearer)
        => builder.AddUserKeyedJwtBearer(authenticationScheme, displayName: null, configure, configureBearer);

    /// <summary>
    /// Adds a JwtBearer scheme that validates UserKeyedJwt tokens, and the core services through
    /// <see cref="UserKeyedJwtServiceCollectionExtensions.AddUserKeyedJwt(IServiceCollection, Action{UserKeyedJwtOptions})"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The singleton <see cref="UserKeyedTokenHandler"/> becomes the only entry of <see cref="JwtBearerOptions.TokenHandlers"/>,
    /// <see cref="JwtBearerOptions.TokenValidationParameters"/> come from <see cref="UserKeyedTokenHandler.CreateValidationParameters"/>
    /// with a signing key resolver that also serves <see cref="UserKeyedJwtBearerPrefetch"/>, and
    /// <see cref="JwtBearerOptions.IncludeErrorDetails"/> and <see cref="JwtBearerOptions.MapInboundClaims"/> are off. These are
    /// enforced after <paramref name="configureBearer"/> runs and checked at startup. Everything else, events included, is yours.
    /// </para>
    /// <para>
    /// A rejected token gets 401 with <c>WWW-Authenticate: Bearer error="invalid_token"</c> and no description; a store failure
    /// gets <see cref="UserKeyedJwtBearerOptions.StoreUnavailableStatusCode"/>. An <see cref="IUserKeyMaterialSource"/> must be
    /// registered too, for example by <c>AddIdentityCore&lt;TUser&gt;().AddUserKeyedJwt()</c>.
    /// </para>
    /// </remarks>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name; see <see cref="UserKeyedJwtDefaults.AuthenticationScheme"/>.</param>
    /// <param name="displayName">The scheme's display name.</param>
    /// <param name="configure">Configures the core: server secrets, issuer, audience, lifetimes.</param>
    /// <param name="configureBearer">Configures JwtBearer: events, <c>SaveToken</c>, claim types.</param>
    public static AuthenticationBuilder AddUserKeyedJwtBearer(this AuthenticationBuilder builder, string authenticationScheme, string? displayName, Action<UserKeyedJwtOptions> configure, Action<JwtBearerOptions> configureBearer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(configureBearer);

        var services = builder.Services;
        var registry = UserKeyedJwtBearerRegistry.GetOrAdd(services);
        if (registry.FirstUse(configure))
        {
            services.AddUserKeyedJwt(configure);
        }

        services.AddHttpContextAccessor();
        services.TryAddSingleton<PrefetchingSigningKeyResolver>();

        // Registered before AddJwtBearer's own configuration, so Configure runs before the application's delegate.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtBearerOptions>, JwtBearerSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JwtBearerOptions>, JwtBearerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UserKeyedJwtBearerOptions>, UserKeyedJwtBearerOptionsValidator>());
        if (registry.FirstUse(ValidateOnStartMarker))
        {
            services.AddOptions<UserKeyedJwtBearerOptions>().ValidateOnStart();
        }

        if (registry.AddScheme(authenticationScheme))
        {
            registry.FirstUse(configureBearer);
            builder.AddJwtBearer(authenticationScheme, displayName, configureBearer);
            services.AddOptions<JwtBearerOptions>(authenticationScheme).ValidateOnStart();
        }
        else if (registry.FirstUse(configureBearer))
        {
            services.Configure(authenticationScheme, configureBearer);
        }

        return builder;
    }
}
