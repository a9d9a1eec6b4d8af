using System.Collections.Concurrent;
using System.Diagnostics;

namespace Fast.CrashHost;

/// <summary>
/// Starts the crash host as a real child process (for tests), reads the promises it prints, and kills
/// it with SIGKILL (<see cref="Process.Kill()"/> on Linux) — no chance to flush or close anything.
/// </summary>
public sealed class CrashHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];

    private CrashHostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) _lines.CompleteAdding();
            else _lines.Add(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string StandardError { get; private set; } = "";

    /// <summary>Runs <c>Fast.CrashHost &lt;mode&gt; &lt;directory&gt;</c> from beside this assembly with the current dotnet host.</summary>
    public static CrashHostProcess Start(string mode, string directory)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Fast.CrashHost.dll");
        ProcessStartInfo start = new(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add(directory);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash host");
        CrashHostProcess host = new(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) host.StandardError += e.Data + "\n";
        };
        return host;
    }

    /// <summary>The next line the host printed, or null when it exited or <paramref name="timeout"/> passed.</summary>
    public string? ReadLine(TimeSpan timeout) => _lines.TryTake(out string? line, timeout) ? line : null;

    /// <summary>SIGKILL, then every line the host had written before it died.</summary>
    public List<string> KillAndDrain()
    {
        _process.Kill();
        _process.WaitForExit();
        List<string> rest = [];
        while (_lines.TryTake(out string? line, TimeSpan.FromSeconds(5))) rest.Add(line);
        return rest;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        _lines.Dispose();
    }
}
