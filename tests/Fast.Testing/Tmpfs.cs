using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace Fast.Testing;

/// <summary>Mounting a size-limited tmpfs: needs root and a kernel that lets this container mount.</summary>
public static partial class Tmpfs
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    public static bool IsRoot => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (mount's syntax: "8m") on the existing folder <paramref name="path"/>; unmounted on dispose.</summary>
    public static Mount MountAt(string path, string size)
    {
        int exit = Run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path);
        if (exit != 0) throw new InvalidOperationException($"mount -t tmpfs on {path} exited with {exit}");
        return new Mount(path);
    }

    /// <summary>A mounted tmpfs: dispose unmounts it (lazily if it is still busy).</summary>
    public sealed class Mount(string path) : IDisposable
    {
        public string Path { get; } = path;

        public void Dispose()
        {
            if (Run("umount", Path) != 0) Run("umount", "-l", Path);
        }
    }

    public static int Run(string command, params string[] args)
    {
        ProcessStartInfo start = new(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process process = Process.Start(start)!;
        process.WaitForExit(30_000);
        return process.HasExited ? process.ExitCode : -1;
    }

    /// <summary>Writes zeros to <paramref name="path"/> until the filesystem refuses (ENOSPC); returns the bytes written.</summary>
    public static long FillUntilFull(string path)
    {
        byte[] chunk = new byte[1 << 20];
        long written = 0;
        using FileStream stream = new(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                stream.Write(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            for (int size = chunk.Length / 2; size >= 512; size /= 2)
            {
                try
                {
                    stream.Write(chunk, 0, size);
                    written += size;
                    size *= 2;
                }
                catch (IOException)
                {
                }
            }
        }
        return written;
    }
}

/// <summary>A [Fact] that runs only where a tmpfs can be mounted (root), and otherwise skips saying so.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (!Tmpfs.IsRoot)
        {
            Skip = "needs root to mount a small tmpfs (the disk-full test)";
            return;
        }
        string probe = Directory.CreateTempSubdirectory("fast-tmpfs-probe-").FullName;
        try
        {
            if (Tmpfs.Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe) != 0) Skip = "mount -t tmpfs failed here (no permission to mount in this container)";
            else Tmpfs.Run("umount", probe);
        }
        finally
        {
            Directory.Delete(probe);
        }
    }
}
