namespace UserKeyedJwt.EntityFrameworkCore.Persistence;

/// <summary>Times as the tables keep them: whole seconds since the Unix epoch.</summary>
internal static class UnixSeconds
{
    public static long Floor(DateTimeOffset time) => time.ToUnixTimeSeconds();

    public static long Ceiling(DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(seconds) < time ? seconds + 1 : seconds;
    }

    public static DateTimeOffset ToTime(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);
}
