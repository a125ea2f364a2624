using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.Sample.Hosting;

/// <summary>
/// A hash of a random password, made with the app's own hashing settings, which a login for an unknown email verifies
/// against: that costs as much as checking a real password, so response times do not tell which emails have accounts.
/// </summary>
internal sealed class UnknownUserPasswordHash(IOptions<PasswordHasherOptions> options)
{
    private readonly Lazy<(PasswordHasher<SampleUser> Hasher, string Hash)> _state = new(() =>
    {
        var hasher = new PasswordHasher<SampleUser>(options);
        return (hasher, hasher.HashPassword(new SampleUser(), Guid.NewGuid().ToString("N")));
    });

    public void Verify(string password) =>
        _state.Value.Hasher.VerifyHashedPassword(new SampleUser(), _state.Value.Hash, password);
}
