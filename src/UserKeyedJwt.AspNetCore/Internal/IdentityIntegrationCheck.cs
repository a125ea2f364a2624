using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// Fails startup when the Identity wiring cannot revoke tokens: a user manager that does not rotate the stamp on permission
/// changes (another <c>AddUserManager</c> registered later), or a store without security stamps.
/// </summary>
internal sealed class IdentityIntegrationCheck<TUser>(IServiceScopeFactory scopes, IUserKeyInputsSource source, ILogger<IdentityIntegrationCheck<TUser>> logger)
    : IHostedService
    where TUser : class
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var manager = scope.ServiceProvider.GetRequiredService<UserManager<TUser>>();
            if (manager is not UserKeyedUserManager<TUser>)
            {
                throw Errors.UserManagerNotKeyed(manager.GetType(), typeof(TUser));
            }

            if (!manager.SupportsUserSecurityStamp)
            {
                throw Errors.NoSecurityStampStore(scope.ServiceProvider.GetRequiredService<IUserStore<TUser>>().GetType());
            }
        }

        if (source is not IdentityUserKeyInputsSource<TUser>)
        {
            Log.ForeignKeyInputsSource(logger, source.GetType().FullName ?? source.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
