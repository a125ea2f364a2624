using System.Reflection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using UserKeyedJwt;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.AspNetCore.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Connects ASP.NET Core Identity to UserKeyedJwt.</summary>
public static class UserKeyedJwtIdentityBuilderExtensions
{
    private static readonly MethodInfo RegisterMethod =
        typeof(UserKeyedJwtIdentityBuilderExtensions).GetMethod(nameof(Register), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// Makes Identity the source of UserKeyedJwt key inputs for the builder's user type, with default
    /// <see cref="UserKeyedIdentityOptions{TUser}"/>. See <see cref="AddUserKeyedJwt{TUser}(IdentityBuilder, Action{UserKeyedIdentityOptions{TUser}})"/>.
    /// </summary>
    public static IdentityBuilder AddUserKeyedJwt(this IdentityBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RegisterMethod.MakeGenericMethod(builder.UserType).Invoke(null, [builder, null]);
        return builder;
    }

    /// <summary>
    /// Makes Identity the source of UserKeyedJwt key inputs for <typeparamref name="TUser"/>:
    /// <list type="bullet">
    /// <item>the singleton <see cref="IUserKeyInputsSource"/> reads id, security stamp, password hash and
    /// <see cref="UserKeyedIdentityOptions{TUser}.ExtraKeyInputs"/> through the user store, in a fresh DI scope per lookup
    /// (unless another source was registered first);</item>
    /// <item><see cref="UserKeyedUserManager{TUser}"/> becomes the user manager (unless one derived from it is registered
    /// already), so permission changes rotate the stamp and every update reaches the key cache at once;</item>
    /// <item><see cref="IUserTokenService{TUser}"/> issues tokens, and <see cref="IUserSessionService{TUser}"/> runs sessions
    /// (<c>AddUserKeyedJwtSessions()</c>, with the in-memory session store and denylist unless others are registered, such as
    /// <c>UserKeyedJwt.EntityFrameworkCore</c>'s).</item>
    /// </list>
    /// Startup fails, naming the problem, when a later registration replaces the user manager or the store keeps no
    /// security stamp. Calling this twice is harmless.
    /// </summary>
    /// <param name="builder">The Identity builder, for example from <c>AddIdentityCore&lt;TUser&gt;()</c>.</param>
    /// <param name="configure">Configures key inputs, stamp rotation and issued claims.</param>
    public static IdentityBuilder AddUserKeyedJwt<TUser>(this IdentityBuilder builder, Action<UserKeyedIdentityOptions<TUser>> configure)
        where TUser : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        if (builder.UserType != typeof(TUser))
        {
            throw Errors.UserTypeMismatch(builder.UserType, typeof(TUser), nameof(builder));
        }

        Register(builder, configure);
        return builder;
    }

    private static void Register<TUser>(IdentityBuilder builder, Action<UserKeyedIdentityOptions<TUser>>? configure)
        where TUser : class
    {
        var services = builder.Services;

        // The user manager needs the core's key cache even in an app that only issues tokens here and validates elsewhere.
        if (!services.Any(static d => d.ServiceType == typeof(IUserKeyCache)))
        {
            services.AddUserKeyedJwt();
        }

        // Sessions (refresh rotation, logout) come with the Identity integration; several nodes share them through a database
        // store, such as UserKeyedJwt.EntityFrameworkCore's, which replaces the in-memory one.
        services.AddUserKeyedJwtSessions();

        var options = services.AddOptions<UserKeyedIdentityOptions<TUser>>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(static d => typeof(UserKeyedUserManager<TUser>).IsAssignableFrom(d.ServiceType)))
        {
            builder.AddUserManager<UserKeyedUserManager<TUser>>();
        }

        services.TryAddSingleton<IUserKeyInputsSource, IdentityUserKeyInputsSource<TUser>>();
        services.TryAddScoped<IUserTokenService<TUser>, UserTokenService<TUser>>();
        services.TryAddScoped<IUserSessionService<TUser>, UserSessionService<TUser>>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IdentityIntegrationCheck<TUser>>());
    }
}
