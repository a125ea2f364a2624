using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt.Sample.Hosting;

/// <summary>
/// Supplies the server secret when the configuration has none: in Development it generates one and keeps it in a local,
/// git-ignored file, so tokens survive restarts; anywhere else it refuses to start, naming the setting.
/// </summary>
/// <remarks>Registered after the configuration binding, so a configured secret always wins.</remarks>
internal sealed partial class SampleServerSecret(IHostEnvironment environment, IConfiguration configuration, ILogger<SampleServerSecret> logger)
    : IConfigureOptions<UserKeyedJwtOptions>
{
    public const string FileSetting = "Sample:DevelopmentSecretFile";
    private const string DevelopmentSecretId = "dev";
    private int _warned;

    public void Configure(UserKeyedJwtOptions options)
    {
        if (options.ServerSecrets.Count > 0)
        {
            return;
        }

        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                "No server secret is configured. Set UserKeyedJwt:ServerSecrets:0:Id and UserKeyedJwt:ServerSecrets:0:Secret "
                + "(environment variables UserKeyedJwt__ServerSecrets__0__Id and UserKeyedJwt__ServerSecrets__0__Secret) to an id "
                + "and at least 32 random bytes in base64, for example from `openssl rand -base64 32`. "
                + $"Only the Development environment generates a secret by itself; this is {environment.EnvironmentName}.");
        }

        var path = Path.GetFullPath(configuration[FileSetting] ?? ".dev-secret", environment.ContentRootPath);
        options.ServerSecrets.Add(new ServerSecretOptions { Id = DevelopmentSecretId, Secret = LoadOrCreate(path) });
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            LogDevelopmentSecret(logger, path);
        }
    }

    private static string LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, streamOptions);
                writer.Write(secret);
                return secret;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        var stored = File.ReadAllText(path).Trim();
        Span<byte> buffer = stackalloc byte[256];
        if (!Convert.TryFromBase64String(stored, buffer, out var length) || length < 32)
        {
            throw new InvalidOperationException($"The development secret file {path} ({FileSetting}) does not hold at least 32 bytes in base64. Delete it to generate a new one.");
        }

        CryptographicOperations.ZeroMemory(buffer);
        return stored;
    }

    [LoggerMessage(EventId = 9001, EventName = "DevelopmentSecretInUse", Level = LogLevel.Warning,
        Message = "No server secret is configured (UserKeyedJwt:ServerSecrets): using the development secret kept in {Path}. Never use it outside development; configure a secret instead.")]
    private static partial void LogDevelopmentSecret(ILogger logger, string path);
}
