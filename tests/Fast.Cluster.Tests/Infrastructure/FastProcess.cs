using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Fast.Cluster.Tests.Infrastructure;

/// <summary>
/// A real `fast` process (the JIT build next to the tests: `dotnet fast.dll ...`), its output
/// captured, stoppable with SIGTERM (clean) or SIGKILL (crash).
/// </summary>
public sealed partial class FastProcess : IDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private FastProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            Append(e.Data);
            if (e.Data is not null) lock (_output) _error.AppendLine(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>What the process wrote to stderr alone.</summary>
    public string StandardError
    {
        get
        {
            lock (_output) return _error.ToString();
        }
    }

    /// <summary>The process id (for signals sent by a test).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public static FastProcess Start(params string[] args) => Start(null, args);

    /// <summary>Starts `fast` with extra environment variables.</summary>
    public static FastProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args) => Start(environment, null, args);

    /// <summary>
    /// Starts `fast` inside network namespace <paramref name="networkNamespace"/> when given (through
    /// `ip netns exec`, which execs it: the process id is fast's own, so signals reach it).
    /// </summary>
    public static FastProcess Start(IReadOnlyDictionary<string, string>? environment, string? networkNamespace, params string[] args)
    {
        string runtime = Environment.ProcessPath ?? "dotnet";
        ProcessStartInfo start = new(networkNamespace is null ? runtime : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (environment is not null)
        {
            foreach ((string key, string value) in environment) start.Environment[key] = value;
        }
        if (networkNamespace is not null)
        {
            foreach (string a in (string[])["netns", "exec", networkNamespace, runtime]) start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fast.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        return new FastProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start fast"));
    }

    /// <summary>Runs a `fast` command to completion; its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(TimeSpan timeout, params string[] args)
    {
        (int exitCode, string output, _) = RunCapturing(timeout, args);
        return (exitCode, output);
    }

    /// <summary>Runs a `fast` command to completion; its exit code, output (both streams) and stderr alone.</summary>
    public static (int ExitCode, string Output, string Error) RunCapturing(TimeSpan timeout, params string[] args) => RunCapturing(null, timeout, args);

    /// <summary>Runs a `fast` command to completion with extra environment variables (e.g. HOME); its exit code, output and stderr alone.</summary>
    public static (int ExitCode, string Output, string Error) RunCapturing(IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] args)
    {
        using FastProcess process = Start(environment, args);
        if (!process._process.WaitForExit(timeout)) throw new TimeoutException($"fast {string.Join(' ', args)} did not finish in {timeout}");
        process._process.WaitForExit();
        return (process.ExitCode, process.Output, process.StandardError);
    }

    /// <summary>Waits for the process to exit on its own; false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit();
        return true;
    }

    /// <summary>SIGTERM and wait: a clean stop.</summary>
    public int Stop(TimeSpan timeout)
    {
        if (!_process.HasExited) Kill(_process.Id, SigTerm);
        if (!_process.WaitForExit(timeout)) throw new TimeoutException("the process did not stop on SIGTERM:\n" + Output);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process dies mid-write, as in a crash or power cut.</summary>
    public void KillHard()
    {
        if (!_process.HasExited) Kill(_process.Id, SigKill);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill(_process.Id, SigKill);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
