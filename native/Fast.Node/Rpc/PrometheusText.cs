using System.Globalization;
using System.Text;

namespace Fast.Node.Rpc;

/// <summary>
/// Writes metrics in the Prometheus text exposition format (version 0.0.4): a HELP and TYPE line
/// the first time a metric name appears, then one sample line per label set.
/// </summary>
public sealed class PrometheusText
{
    private readonly StringBuilder _text = new(4096);
    private readonly HashSet<string> _declared = [];

    public PrometheusText Counter(string name, string help, double value, string? labels = null) => Sample(name, "counter", help, value, labels);

    public PrometheusText Gauge(string name, string help, double value, string? labels = null) => Sample(name, "gauge", help, value, labels);

    private PrometheusText Sample(string name, string type, string help, double value, string? labels)
    {
        if (_declared.Add(name))
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }
        _text.Append(name);
        if (!string.IsNullOrEmpty(labels)) _text.Append('{').Append(labels).Append('}');
        _text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();
}
