using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using UserKeyedJwt;
using UserKeyedJwt.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis part of UserKeyedJwt: the cross-node key-invalidation bus.</summary>
public static class UserKeyedJwtRedisServiceCollectionExtensions
{
    /// <summary>
    /// Connects the key caches of all nodes through Redis pub/sub (<see cref="RedisUserKeyInvalidationBus"/>): a change of a
    /// user's key inputs made through the library on any node drops that user's cached keys on every node, and a node whose
    /// channel is down reads every user through to the store. Settings are validated at startup. Calling this twice is
    /// harmless; each <paramref name="configure"/> is applied.
    /// </summary>
    public static IServiceCollection AddUserKeyedJwtRedisInvalidation(this IServiceCollection services, Action<RedisUserKeyInvalidationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisUserKeyInvalidationOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisUserKeyInvalidationOptions>, RedisUserKeyInvalidationOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisUserKeyInvalidationBus>();
        services.RemoveAll<IUserKeyInvalidationBus>();
        services.AddSingleton<IUserKeyInvalidationBus>(static sp => sp.GetRequiredService<RedisUserKeyInvalidationBus>());
        return services;
    }
}
