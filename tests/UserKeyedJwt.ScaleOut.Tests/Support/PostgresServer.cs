using System.Globalization;

namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// A real PostgreSQL server of its own: <c>initdb</c> into a temporary directory, started with <c>pg_ctl</c> on a free
/// loopback port (its Unix socket in the same directory), trust authentication for the <c>postgres</c> role, no fsync.
/// PostgreSQL refuses to run as root, so when the tests run as root the directory is handed to the <c>postgres</c> user
/// (created by Debian's package) and every server command runs through <c>runuser -u postgres --</c>. Stopped
/// (<c>pg_ctl stop -m immediate</c>) and removed on dispose. Without PostgreSQL the test is skipped, or fails under
/// <c>CI=true</c>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Superuser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _binDirectory;
    private readonly string _directory;
    private readonly string? _runAs;
    private int _databases;

    private PostgresServer(string binDirectory, string directory, string? runAs, int port)
    {
        _binDirectory = binDirectory;
        _directory = directory;
        _runAs = runAs;
        Port = port;
    }

    public int Port { get; }

    public string Version { get; private set; } = "";

    private string DataDirectory => Path.Combine(_directory, "data");

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinDirectory();
        if (bin is null)
        {
            Requirement.Missing("PostgreSQL (initdb, pg_ctl, psql) is not installed: apt-get install -y postgresql (its server binaries are looked for in /usr/lib/postgresql/*/bin, then on PATH).");
        }

        string? runAs = null;
        if (Environment.UserName == "root")
        {
            // PostgreSQL will not run as root: run it as the postgres user of the Debian package.
            if (Requirement.FindOnPath("runuser") is null || !File.ReadLines("/etc/passwd").Any(l => l.StartsWith(Superuser + ":", StringComparison.Ordinal)))
            {
                Requirement.Missing("Running as root, PostgreSQL needs the 'postgres' user and runuser (both come with apt-get install -y postgresql).");
            }

            runAs = Superuser;
        }

        var directory = Directory.CreateTempSubdirectory("ukjwt-pg-").FullName;
        var server = new PostgresServer(bin!, directory, runAs, Processes.FreePort());
        try
        {
            await server.InitializeAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>An Npgsql connection string to <paramref name="database"/>, over TCP on loopback.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Database={database};Username={Superuser};Timeout=15;Command Timeout=30";

    /// <summary>Creates a new, empty database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = NewDatabaseName();
        await QueryAsync("postgres", $"CREATE DATABASE {name}");
        return name;
    }

    /// <summary>A name no database of this server has.</summary>
    public string NewDatabaseName() => $"ukjwt_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..24];

    /// <summary>Runs SQL through <c>psql</c> and returns the rows, one a line, fields separated by '|'.</summary>
    public async Task<string[]> QueryAsync(string database, string sql)
    {
        var output = await Processes.RunAsync(
            Path.Combine(_binDirectory, "psql"),
            ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", Superuser, "-d", database, "-v", "ON_ERROR_STOP=1", "-X", "-A", "-t", "-c", sql],
            CommandTimeout,
            new Dictionary<string, string> { ["PGCONNECT_TIMEOUT"] = "10" });
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await ServerCommandAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30"]);
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task InitializeAsync()
    {
        if (_runAs is not null)
        {
            await Processes.RunAsync("chown", [$"{_runAs}:", _directory], CommandTimeout);
        }

        await ServerCommandAsync("initdb", ["-D", DataDirectory, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]);
        var options = string.Join(' ',
            $"-p {Port.ToString(CultureInfo.InvariantCulture)}",
            "-c listen_addresses=127.0.0.1",
            $"-c unix_socket_directories='{_directory}'",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200");
        await ServerCommandAsync("pg_ctl", ["start", "-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "30", "-o", options]);
        Version = (await QueryAsync("postgres", "SHOW server_version")).Single();
    }

    private Task<string> ServerCommandAsync(string command, IEnumerable<string> arguments)
    {
        var executable = Path.Combine(_binDirectory, command);
        return _runAs is null
            ? Processes.RunAsync(executable, arguments, CommandTimeout)
            : Processes.RunAsync("runuser", ["-u", _runAs, "--", executable, .. arguments], CommandTimeout);
    }

    private static string? FindBinDirectory()
    {
        static bool Complete(string dir) => new[] { "initdb", "pg_ctl", "postgres", "psql" }.All(f => File.Exists(Path.Combine(dir, f)));

        // Debian keeps the server binaries out of PATH, one directory per major version; the newest installed wins.
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            var versioned = Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Directory: Path.Combine(d, "bin"), Major: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : -1))
                .Where(d => d.Major > 0 && Complete(d.Directory))
                .OrderByDescending(d => d.Major)
                .Select(d => d.Directory)
                .FirstOrDefault();
            if (versioned is not null)
            {
                return versioned;
            }
        }

        return Requirement.FindOnPath("initdb") is { } initdb && Path.GetDirectoryName(initdb) is { } onPath && Complete(onPath) ? onPath : null;
    }
}
