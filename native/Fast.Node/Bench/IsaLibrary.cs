using System.Runtime.InteropServices;

namespace Fast.Node.Bench;

/// <summary>
/// Intel ISA-L's erasure-code API (libisal.so, Debian's libisal-dev), loaded at run time by
/// `fast bench fec` only, as its reference: never linked into `fast` (the validator does not need
/// it, and <c>ldd fast</c> stays libc/libm). Bound through unmanaged function pointers found with
/// <see cref="NativeLibrary.TryGetExport"/>.
/// </summary>
public sealed unsafe class IsaLibrary : IDisposable
{
    private static readonly string[] Names = ["libisal.so.2", "libisal.so", "isal"];

    private readonly nint _handle;
    private readonly delegate* unmanaged<int, int, byte*, byte*, void> _ecInitTables;
    private readonly delegate* unmanaged<int, int, int, byte*, byte**, byte**, void> _ecEncodeData;
    private readonly delegate* unmanaged<byte*, byte*, int, int> _gfInvertMatrix;

    private IsaLibrary(nint handle, string path)
    {
        _handle = handle;
        Path = path;
        _ecInitTables = (delegate* unmanaged<int, int, byte*, byte*, void>)Export(handle, "ec_init_tables");
        _ecEncodeData = (delegate* unmanaged<int, int, int, byte*, byte**, byte**, void>)Export(handle, "ec_encode_data");
        _gfInvertMatrix = (delegate* unmanaged<byte*, byte*, int, int>)Export(handle, "gf_invert_matrix");
    }

    /// <summary>Which file was loaded.</summary>
    public string Path { get; }

    /// <summary>Loads ISA-L, or returns null with the reason (not installed, or an export missing).</summary>
    public static IsaLibrary? TryLoad(out string? error)
    {
        foreach (string name in Names)
        {
            if (!NativeLibrary.TryLoad(name, out nint handle)) continue;
            try
            {
                error = null;
                return new IsaLibrary(handle, name);
            }
            catch (EntryPointNotFoundException e)
            {
                NativeLibrary.Free(handle);
                error = e.Message;
                return null;
            }
        }
        error = "Intel ISA-L (libisal.so) is not installed; `./build.sh deps` installs libisal-dev";
        return null;
    }

    private static nint Export(nint handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out nint address) ? address : throw new EntryPointNotFoundException($"libisal has no {name}");

    /// <summary>ec_init_tables: expands a rows × k coefficient matrix into the 32·k·rows bytes of tables ec_encode_data reads.</summary>
    public void InitTables(int k, int rows, byte* matrix, byte* tables) => _ecInitTables(k, rows, matrix, tables);

    /// <summary>ec_encode_data: coding[r] = Σ_j matrix[r][j]·data[j] over <paramref name="length"/> bytes (ISA-L's best kernel for this CPU).</summary>
    public void EncodeData(int length, int k, int rows, byte* tables, byte** data, byte** coding) => _ecEncodeData(length, k, rows, tables, data, coding);

    /// <summary>gf_invert_matrix: <paramref name="output"/> = inverse of the n × n <paramref name="input"/> (which it overwrites); false when singular.</summary>
    public bool InvertMatrix(byte* input, byte* output, int n) => _gfInvertMatrix(input, output, n) == 0;

    public void Dispose() => NativeLibrary.Free(_handle);
}
