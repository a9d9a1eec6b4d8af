using System.Globalization;
using System.Text;

namespace Fast.Node.Rpc;

/// <summary>
/// Writes metrics in the Prometheus text exposition format (version 0.0.4): a HELP and TYPE line
/// the first time a metric name appears, then one sample line per label set. Made with
/// <c>keepSamples</c>, it also keeps every sample as a value (the dashboard reads the drop counters
/// from the same code that writes /metrics).
/// </summary>
public sealed class PrometheusText(bool keepSamples = false)
{
    private readonly StringBuilder _text = new(4096);
    private readonly HashSet<string> _declared = [];
    private readonly List<PrometheusSample>? _samples = keepSamples ? [] : null;

    /// <summary>Every sample written, in order (empty unless made with <c>keepSamples</c>).</summary>
    public IReadOnlyList<PrometheusSample> Samples => _samples ?? [];

    public PrometheusText Counter(string name, string help, double value, string? labels = null) => Sample(name, "counter", help, value, labels);

    public PrometheusText Gauge(string name, string help, double value, string? labels = null) => Sample(name, "gauge", help, value, labels);

    /// <summary>A histogram in seconds (<paramref name="name"/> should end in _seconds): cumulative _bucket lines, _sum and _count.</summary>
    public PrometheusText Histogram(string name, string help, LatencyHistogram histogram, string? labels = null)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (_declared.Add(name))
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(" histogram\n");
        }
        string prefix = string.IsNullOrEmpty(labels) ? "" : labels + ",";
        for (int i = 0; i <= histogram.BoundsMs.Count; i++)
        {
            string le = i < histogram.BoundsMs.Count ? (histogram.BoundsMs[i] / 1000).ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            Line(name + "_bucket", $"{prefix}le=\"{le}\"", histogram.CumulativeCount(i));
        }
        Line(name + "_sum", labels, histogram.SumMs / 1000);
        Line(name + "_count", labels, histogram.Count);
        return this;
    }

    private void Line(string name, string? labels, double value)
    {
        _text.Append(name);
        if (!string.IsNullOrEmpty(labels)) _text.Append('{').Append(labels).Append('}');
        _text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        _samples?.Add(new PrometheusSample(name, labels, value));
    }

    private PrometheusText Sample(string name, string type, string help, double value, string? labels)
    {
        if (_declared.Add(name))
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }
        Line(name, labels, value);
        return this;
    }

    public override string ToString() => _text.ToString();
}

/// <summary>One metric sample: its name, its label set as written (<c>a="x",b="y"</c>; null when none), its value.</summary>
public readonly record struct PrometheusSample(string Name, string? Labels, double Value)
{
    /// <summary>The value of label <paramref name="label"/>, or null when the sample has none by that name.</summary>
    public string? Label(string label)
    {
        if (Labels is null) return null;
        string key = label + "=\"";
        int at = 0;
        while (at < Labels.Length)
        {
            int start = Labels.IndexOf(key, at, StringComparison.Ordinal);
            if (start < 0) return null;
            if (start == 0 || Labels[start - 1] == ',')
            {
                int from = start + key.Length;
                int end = Labels.IndexOf('"', from);
                return end < 0 ? null : Labels[from..end];
            }
            at = start + key.Length;
        }
        return null;
    }
}
