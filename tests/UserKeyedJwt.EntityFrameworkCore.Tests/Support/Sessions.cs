using System.Buffers.Text;
using System.Security.Cryptography;

namespace UserKeyedJwt.EntityFrameworkCore.Tests.Support;

/// <summary>Sessions shaped as the library makes them: random ids and secrets, times in whole seconds.</summary>
public static class Sessions
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static UserKeyedSession New(string userId, DateTimeOffset? lastRefreshedAt = null, DateTimeOffset? expiresAt = null, long generation = 0, string? device = null, DateTimeOffset? createdAt = null, string? id = null)
    {
        var created = createdAt ?? lastRefreshedAt ?? Start;
        return new UserKeyedSession(id ?? Random(16), userId, Random(32), created, lastRefreshedAt ?? created, expiresAt ?? created.AddDays(30), generation, device);
    }

    public static string Random(int bytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));
}
