using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;

namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// One node of the sample: a real process (<c>dotnet UserKeyedJwt.Sample.dll</c>, real Kestrel) on a loopback port,
/// configured only by environment variables. Its standard output and error are captured line by line for the log scan.
/// </summary>
public sealed class SampleNode : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan OutputTimeout = TimeSpan.FromSeconds(10);

    // Settings the test machine's environment could carry into the child and that would change what is tested.
    private static readonly string[] InheritedPrefixesToDrop = ["ASPNETCORE_", "DOTNET_ENVIRONMENT", "ConnectionStrings__", "UserKeyedJwt", "Sample__", "Identity__", "Logging__", "Kestrel__", "URLS"];

    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly List<string> _lines = [];
    private Process? _process;

    public SampleNode(string name, int port, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        Port = port;
        _environment = environment;
        Client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public string Name { get; }

    public int Port { get; }

    public HttpClient Client { get; }

    /// <summary>Every line the process wrote to standard output or error, across restarts.</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    /// <summary>How many times the process was started.</summary>
    public int Starts { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    public static string SampleAssembly { get; } =
        typeof(SampleNode).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SampleAssembly").Value
        ?? throw new InvalidOperationException("The SampleAssembly metadata is missing.");

    /// <summary>Starts the process (again, after <see cref="KillAsync"/>: same port, same settings) and waits until it answers.</summary>
    public async Task StartAsync()
    {
        if (!File.Exists(SampleAssembly))
        {
            throw new InvalidOperationException($"{SampleAssembly} is missing: build the sample (the test project builds it through its project reference).");
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            ArgumentList = { SampleAssembly },
            WorkingDirectory = Path.GetDirectoryName(SampleAssembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => InheritedPrefixesToDrop.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = Client.BaseAddress!.ToString().TrimEnd('/');
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start.");
        _process = process;
        Starts++;
        Append($"{StartLinePrefix}{Starts} ---");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Append(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Append(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode} while starting. Its output:\n{Tail()}");
            }

            try
            {
                using var response = await Client.GetAsync(SampleApi.Me, TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    StartupTime = clock.Elapsed;
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new InvalidOperationException($"{Name} did not answer on port {Port} within {StartTimeout}. Its output:\n{Tail()}");
    }

    /// <summary>How long the last start took, until the first answer.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Whether the running process last logged its invalidation bus connected (its key cache in use).</summary>
    public bool BusConnected => NodeLog.BusConnected(Output, StartLinePrefix);

    private string StartLinePrefix => $"--- {Name} start #";

    /// <summary>
    /// Every line logged until now: sends a request whose path is logged (hosting diagnostics, see <see cref="Cluster"/>) and
    /// waits for that line, so all that the process logged before it has been read too (one logger queue, one pipe).
    /// </summary>
    public async Task<List<string>> ReadOutputAsync()
    {
        var marker = $"/log-sync/{Guid.NewGuid():N}";
        using (await Client.GetAsync(marker, TestContext.Current.CancellationToken))
        {
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var lines = Output.ToList();
            var index = lines.FindIndex(l => l.Contains(marker, StringComparison.Ordinal));
            if (index >= 0)
            {
                return lines[..index];
            }

            if (clock.Elapsed > OutputTimeout)
            {
                throw new TimeoutException($"{Name}: the request to {marker} was not logged within {OutputTimeout}. Its output:\n{Tail()}");
            }

            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>How many lines the node has written so far: a cursor for <see cref="FindLine"/> and <see cref="LinesFrom"/>.</summary>
    public int LineCount
    {
        get
        {
            lock (_lines)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>The first line written at or after <paramref name="from"/> (a <see cref="LineCount"/>) that matches, or null.</summary>
    public string? FindLine(int from, Func<string, bool> match)
    {
        lock (_lines)
        {
            for (var i = from; i < _lines.Count; i++)
            {
                if (match(_lines[i]))
                {
                    return _lines[i];
                }
            }

            return null;
        }
    }

    /// <summary>The lines written at or after <paramref name="from"/> (a <see cref="LineCount"/>).</summary>
    public List<string> LinesFrom(int from)
    {
        lock (_lines)
        {
            return _lines[Math.Min(from, _lines.Count)..];
        }
    }

    /// <summary>SIGKILL: the node dies at once, as in a crash; nothing is flushed or unsubscribed.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Client.Dispose();
    }

    private void Append(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
            Output.Enqueue(line);
        }
    }

    /// <summary>The last lines of output, for a failure message; anything shaped like a token is blanked out first.</summary>
    public string Tail(int lines = 40) =>
        string.Join('\n', Output.TakeLast(lines).Select(LogScan.Redact));
}
