using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.Tool.Database;

/// <summary>
/// The user's key inputs from Identity's columns, as the app's Identity source derives them: id, security stamp, password
/// hash. An app that adds extra key inputs (<c>ExtraKeyInputs</c>) derives other keys, which the tool cannot know.
/// </summary>
internal sealed class DatabaseKeyInputsSource(IServiceScopeFactory scopes, StoreFailures failures) : IUserKeyInputsSource
{
    public async ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var row = await scope.ServiceProvider.GetRequiredService<ToolDbContext>().Users.AsNoTracking()
                .FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
            return row is null ? null : new UserKeyInputs(row.Id, row.SecurityStamp, row.PasswordHash);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failures.Record("AspNetUsers", ex);
            throw;
        }
    }
}
