namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// A server the tests need is not installed: skip locally, fail under <c>CI=true</c>. CI installs every one of them
/// (<c>.ci/run</c>), so a missing server there is a broken pipeline, not a reason to skip.
/// </summary>
internal static class Requirement
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static void Missing(string message)
    {
        if (IsCi)
        {
            throw new InvalidOperationException(message + " Under CI=true this is a failure, not a skip.");
        }

        Assert.Skip(message);
    }

    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
