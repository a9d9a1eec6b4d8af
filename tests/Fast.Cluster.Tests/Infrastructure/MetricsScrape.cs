using System.Globalization;

namespace Fast.Cluster.Tests.Infrastructure;

/// <summary>A node's Prometheus /metrics read as name{labels} → value, for tests that check counters.</summary>
public static class MetricsScrape
{
    public static async Task<Dictionary<string, double>> ReadAsync(string nodeUrl)
    {
        using HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
        string text = await http.GetStringAsync(new Uri(new Uri(nodeUrl), "/metrics"));
        Dictionary<string, double> values = [];
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) values[line[..space]] = value;
        }
        return values;
    }
}
