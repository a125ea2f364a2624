using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace UserKeyedJwt.AspNetCore.IdentityApi;

/// <summary>
/// A hash of a random password, made once with the user manager's own hasher, that a sign-in verifies against when it has
/// no real hash to check: an unknown user name, or a user without a password. The check costs what a real one costs, so
/// response times do not tell which accounts exist.
/// </summary>
internal sealed class UnknownUserPasswordHash<TUser>
    where TUser : class, new()
{
    private string? _hash;

    public void Verify(IPasswordHasher<TUser> hasher, string password)
    {
        var user = new TUser();
        var hash = Volatile.Read(ref _hash);
        if (hash is null)
        {
            // Nobody knows this password, so nothing verifies against it; a race makes two hashes and keeps one.
            var created = hasher.HashPassword(user, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            hash = Interlocked.CompareExchange(ref _hash, created, null) ?? created;
        }

        _ = hasher.VerifyHashedPassword(user, hash, password);
    }
}
