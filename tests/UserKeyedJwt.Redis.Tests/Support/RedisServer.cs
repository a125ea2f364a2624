using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace UserKeyedJwt.Redis.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, with no persistence and a temporary directory, stopped and removed on
/// dispose. Without <c>redis-server</c> on PATH the test is skipped, except under <c>CI=true</c>, where it fails: CI installs
/// Redis (<c>.ci/run</c>), so a missing server there is a broken pipeline, not a reason to skip.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private Process? _process;

    private RedisServer(string executable, int port, string directory)
    {
        Executable = executable;
        Port = port;
        _directory = directory;
    }

    public string Executable { get; }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var executable = Find("redis-server");
        if (executable is null)
        {
            const string message = "redis-server is not on PATH: install it (apt-get install -y redis-server) to run the Redis tests.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(message + " Under CI=true this is a failure, not a skip.");
            }

            Assert.Skip(message);
        }

        var directory = Directory.CreateTempSubdirectory("ukjwt-redis-").FullName;
        var server = new RedisServer(executable!, FreePort(), directory);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on the same port and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, "--protected-mode", "yes" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await PingsAsync())
            {
                return;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}.");
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"redis-server did not answer on port {Port} within 10 s.");
    }

    /// <summary>Stops the server: the outage a test wants to see.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<bool> PingsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return read >= 5 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
