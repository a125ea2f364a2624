using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserKeyedJwt;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the UserKeyedJwt core services.</summary>
public static class UserKeyedJwtServiceCollectionExtensions
{
    /// <summary>
    /// Registers the token handler, issuer, key cache and options of UserKeyedJwt, with options validated at startup.
    /// An <see cref="IUserKeyInputsSource"/> must be registered too. Calling this twice is harmless.
    /// </summary>
    public static IServiceCollection AddUserKeyedJwt(this IServiceCollection services) => services.AddUserKeyedJwt(static _ => { });

    /// <summary>
    /// Registers the token handler, issuer, key cache and options of UserKeyedJwt, with options validated at startup.
    /// An <see cref="IUserKeyInputsSource"/> must be registered too. Calling this twice is harmless; each
    /// <paramref name="configure"/> is applied.
    /// </summary>
    public static IServiceCollection AddUserKeyedJwt(this IServiceCollection services, Action<UserKeyedJwtOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<UserKeyedJwtOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UserKeyedJwtOptions>, UserKeyedJwtOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ServerSecretRingProvider>();
        services.TryAddSingleton(static sp => new UserKeyedJwtMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(static sp => new UserKeyCache(
            sp.GetRequiredService<IOptions<UserKeyedJwtOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<UserKeyCache>>(),
            sp.GetRequiredService<UserKeyedJwtMetrics>(),
            sp.GetService<IUserKeyInvalidationBus>()));
        services.TryAddSingleton<IUserKeyCache>(static sp => sp.GetRequiredService<UserKeyCache>());
        services.TryAddSingleton(static sp => new UserKeyInputsLookup(
            sp.GetService<IUserKeyInputsSource>() ?? throw Errors.NoKeyInputsSource(),
            sp.GetRequiredService<IOptions<UserKeyedJwtOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<UserKeyedJwtMetrics>(),
            sp.GetRequiredService<ILogger<UserKeyInputsLookup>>(),
            sp.GetService<IUserKeyedSessionStore>(),
            sp.GetService<IRevokedTokenStore>()));
        services.TryAddSingleton(static sp => new UserKeyedTokenHandler(
            sp.GetRequiredService<IOptions<UserKeyedJwtOptions>>(),
            sp.GetRequiredService<ServerSecretRingProvider>(),
            sp.GetRequiredService<UserKeyCache>(),
            sp.GetRequiredService<UserKeyInputsLookup>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<UserKeyedJwtMetrics>(),
            sp.GetRequiredService<ILogger<UserKeyedTokenHandler>>()));
        services.TryAddSingleton(static sp => new UserKeyedTokenIssuer(
            sp.GetRequiredService<IOptions<UserKeyedJwtOptions>>(),
            sp.GetRequiredService<ServerSecretRingProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<UserKeyedJwtMetrics>(),
            sp.GetRequiredService<ILogger<UserKeyedTokenIssuer>>()));
        return services;
    }
}
