using System.Globalization;

namespace Fast.Node.Validator;

/// <summary>
/// This process's resident memory, read from /proc/self/statm (its second field, resident pages,
/// times the page size): what the kernel holds in RAM for the node, the figure /metrics exports as
/// fast_process_resident_bytes. Cold path (one read per scrape); 0 where /proc is absent.
/// </summary>
internal static class ProcessMemory
{
    public static long ResidentBytes()
    {
        try
        {
            string statm = File.ReadAllText("/proc/self/statm");
            return ParseStatmResidentPages(statm) * Environment.SystemPageSize;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The resident page count in a statm line ("size resident shared text lib data dt"); 0 when malformed.</summary>
    public static long ParseStatmResidentPages(string statm)
    {
        string[] fields = statm.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long pages) ? pages : 0;
    }
}
