using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// The <see cref="IUserKeyInputsSource"/> over ASP.NET Core Identity. It is a singleton, as the validating handler is, so it
/// holds no store: each lookup opens its own DI scope, and with it a fresh store and <c>DbContext</c>, and disposes them.
/// </summary>
internal sealed class IdentityUserKeyInputsSource<TUser>(IServiceScopeFactory scopes, IOptionsMonitor<UserKeyedIdentityOptions<TUser>> options)
    : IUserKeyInputsSource
    where TUser : class
{
    public async ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IUserStore<TUser>>();
            var user = await store.FindByIdAsync(userId, cancellationToken).ConfigureAwait(false);
            return user is null
                ? null
                : await IdentityKeyInputs.ReadAsync(store, user, options.CurrentValue, cancellationToken).ConfigureAwait(false);
        }
    }
}
