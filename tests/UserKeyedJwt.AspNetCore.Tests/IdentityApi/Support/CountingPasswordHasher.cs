using Microsoft.AspNetCore.Identity;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

/// <summary>Identity's hasher, counting each hash made and each verified: the cost a request pays, without timing it.</summary>
public sealed class CountingPasswordHasher(IPasswordHasher<IdentityUser> inner, PasswordHashCounter counter) : IPasswordHasher<IdentityUser>
{
    public string HashPassword(IdentityUser user, string password)
    {
        counter.Hashed();
        return inner.HashPassword(user, password);
    }

    public PasswordVerificationResult VerifyHashedPassword(IdentityUser user, string hashedPassword, string providedPassword)
    {
        counter.Verified();
        return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

public sealed class PasswordHashCounter
{
    private int _hashes;
    private int _verifications;

    public int Hashes => Volatile.Read(ref _hashes);

    public int Verifications => Volatile.Read(ref _verifications);

    /// <summary>Every PBKDF2 run, whether it made a hash or checked one.</summary>
    public int Total => Hashes + Verifications;

    public void Reset()
    {
        Interlocked.Exchange(ref _hashes, 0);
        Interlocked.Exchange(ref _verifications, 0);
    }

    internal void Hashed() => Interlocked.Increment(ref _hashes);

    internal void Verified() => Interlocked.Increment(ref _verifications);
}
