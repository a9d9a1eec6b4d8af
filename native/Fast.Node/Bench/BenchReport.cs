using System.Text.Json;
using Fast.Crypto;

namespace Fast.Node.Bench;

/// <summary>
/// The result of one `fast bench ...` run in the convention of ARCHITECTURE.md: results, the
/// reference measured in the same run, their ratios, allocation per operation, and notes. Prints
/// either a human table or exactly one JSON object.
/// </summary>
public sealed class BenchReport(string bench)
{
    private readonly List<(string Name, double Value)> _results = [];
    private readonly List<(string Name, double Value)> _reference = [];
    private readonly List<(string Name, double Value)> _ratios = [];
    private readonly List<string> _notes = [];

    public string Bench { get; } = bench;
    public double? AllocatedBytesPerOp { get; set; }

    public BenchReport Result(string name, double value) { _results.Add((name, value)); return this; }
    public BenchReport Reference(string name, double value) { _reference.Add((name, value)); return this; }
    public BenchReport Ratio(string name, double value) { _ratios.Add((name, value)); return this; }
    public BenchReport Note(string text) { _notes.Add(text); return this; }

    public double? GetRatio(string name)
    {
        foreach ((string n, double v) in _ratios)
        {
            if (n == name) return v;
        }
        return null;
    }

    public void Write(TextWriter output, bool json)
    {
        if (json) WriteJson(output);
        else WriteText(output);
    }

    private void WriteJson(TextWriter output)
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter w = new(buffer))
        {
            w.WriteStartObject();
            w.WriteString("bench", Bench);
            w.WriteStartObject("machine");
            w.WriteNumber("cores", Environment.ProcessorCount);
            w.WriteString("cpu", CpuFeatures.ModelName);
            w.WriteBoolean("sha_ni", CpuFeatures.ShaNi);
            w.WriteBoolean("avx2", CpuFeatures.Avx2);
            w.WriteBoolean("avx512", CpuFeatures.Avx512);
            w.WriteBoolean("gfni", CpuFeatures.Gfni);
            w.WriteEndObject();
            WriteSection(w, "results", _results);
            WriteSection(w, "reference", _reference);
            WriteSection(w, "ratios", _ratios);
            if (AllocatedBytesPerOp is double allocated) w.WriteNumber("allocated_bytes_per_op", Round(allocated));
            if (_notes.Count > 0)
            {
                w.WriteStartArray("notes");
                foreach (string note in _notes) w.WriteStringValue(note);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteSection(Utf8JsonWriter w, string name, List<(string Name, double Value)> values)
    {
        w.WriteStartObject(name);
        foreach ((string key, double value) in values) w.WriteNumber(key, Round(value));
        w.WriteEndObject();
    }

    private static double Round(double value) =>
        double.IsFinite(value) ? Math.Round(value, value is > -10 and < 10 ? 4 : 1) : 0;

    private void WriteText(TextWriter output)
    {
        output.WriteLine($"bench {Bench} on {CpuFeatures.ModelName} ({Environment.ProcessorCount} cores, sha_ni={CpuFeatures.ShaNi}, avx512={CpuFeatures.Avx512})");
        WriteTextSection(output, "results", _results);
        WriteTextSection(output, "reference", _reference);
        WriteTextSection(output, "ratios", _ratios);
        if (AllocatedBytesPerOp is double allocated) output.WriteLine($"  allocated bytes/op: {allocated:0.##}");
        foreach (string note in _notes) output.WriteLine($"  note: {note}");
    }

    private static void WriteTextSection(TextWriter output, string title, List<(string Name, double Value)> values)
    {
        if (values.Count == 0) return;
        output.WriteLine($"  {title}:");
        foreach ((string key, double value) in values)
        {
            string text = Math.Abs(value) >= 1000 ? value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
            output.WriteLine($"    {key,-40} {text,16}");
        }
    }
}
