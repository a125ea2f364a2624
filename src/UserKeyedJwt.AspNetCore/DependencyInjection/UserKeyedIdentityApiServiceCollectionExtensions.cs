using Microsoft.AspNetCore.Identity;
using UserKeyedJwt.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what <c>MapUserKeyedIdentityApi&lt;TUser&gt;()</c> needs: the counterpart of <c>AddIdentityApiEndpoints&lt;TUser&gt;()</c>.</summary>
public static class UserKeyedIdentityApiServiceCollectionExtensions
{
    /// <summary>Registers the Identity API with default <see cref="IdentityOptions"/>. See <see cref="AddUserKeyedIdentityApiEndpoints{TUser}(IServiceCollection, Action{IdentityOptions})"/>.</summary>
    public static IdentityBuilder AddUserKeyedIdentityApiEndpoints<TUser>(this IServiceCollection services)
        where TUser : class, new()
        => services.AddUserKeyedIdentityApiEndpoints<TUser>(static _ => { });

    /// <summary>
    /// Registers what <c>AddIdentityApiEndpoints&lt;TUser&gt;()</c> does, with UserKeyedJwt in place of its bearer-token and
    /// cookie schemes:
    /// <list type="bullet">
    /// <item><c>AddIdentityCore&lt;TUser&gt;(configure).AddApiEndpoints()</c>: Identity's services, the default token providers
    /// and the default email sender (<c>IEmailSender&lt;TUser&gt;</c>, replace it to send real mail);</item>
    /// <item><c>.AddUserKeyedJwt()</c>: Identity as the source of key inputs, <see cref="UserKeyedUserManager{TUser}"/> and sessions
    /// (in memory unless another store is registered, such as <c>UserKeyedJwt.EntityFrameworkCore</c>'s);</item>
    /// <item><c>AddAuthentication(...).AddUserKeyedJwtBearer()</c>, with <see cref="UserKeyedJwtDefaults.AuthenticationScheme"/>
    /// as the default authenticate and challenge scheme, and <c>AddAuthorization()</c>.</item>
    /// </list>
    /// The UserKeyedJwt settings (server secrets, issuer, audience) stay the app's: <c>services.AddUserKeyedJwt(o => ...)</c> or
    /// <c>AddOptions&lt;UserKeyedJwtOptions&gt;().BindConfiguration("UserKeyedJwt")</c>; startup fails, naming each missing one.
    /// </summary>
    /// <typeparam name="TUser">The Identity user type.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures <see cref="IdentityOptions"/>.</param>
    /// <returns>The Identity builder, to chain <c>.AddEntityFrameworkStores&lt;TContext&gt;()</c> as after <c>AddIdentityApiEndpoints</c>.</returns>
    public static IdentityBuilder AddUserKeyedIdentityApiEndpoints<TUser>(this IServiceCollection services, Action<IdentityOptions> configure)
        where TUser : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services
            .AddAuthentication(static o =>
            {
                o.DefaultAuthenticateScheme = UserKeyedJwtDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = UserKeyedJwtDefaults.AuthenticationScheme;
            })
            .AddUserKeyedJwtBearer();
        services.AddAuthorization();

        return services.AddIdentityCore<TUser>(configure)
            .AddApiEndpoints()
            .AddUserKeyedJwt();
    }
}
