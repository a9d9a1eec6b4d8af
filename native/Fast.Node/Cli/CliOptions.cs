using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Fast.Node.Cli;

/// <summary>
/// Numeric options with their range checked at parse time, so a bad value is a one-line parse
/// error ("--seconds must be ...") rather than an exception inside a command.
/// </summary>
public static class CliOptions
{
    public static Option<double> Double(string name, string description, double defaultValue, double min, double max, bool minExclusive = false)
    {
        Option<double> option = new(name)
        {
            Description = $"{description} (default {defaultValue.ToString(CultureInfo.InvariantCulture)})",
            DefaultValueFactory = _ => defaultValue,
        };
        option.CustomParser = result =>
        {
            string text = SingleToken(result);
            bool parsed = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value);
            bool inRange = parsed && double.IsFinite(value) && (minExclusive ? value > min : value >= min) && value <= max;
            if (!inRange)
            {
                string low = minExclusive ? $"greater than {min.ToString(CultureInfo.InvariantCulture)}" : $"at least {min.ToString(CultureInfo.InvariantCulture)}";
                result.AddError($"{name} must be a number {low} and at most {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
                return defaultValue;
            }
            return value;
        };
        return option;
    }

    public static Option<long> Integer(string name, string description, long defaultValue, long min, long max)
    {
        Option<long> option = new(name)
        {
            Description = $"{description} (default {defaultValue.ToString(CultureInfo.InvariantCulture)})",
            DefaultValueFactory = _ => defaultValue,
        };
        option.CustomParser = result =>
        {
            string text = SingleToken(result);
            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
            {
                result.AddError($"{name} must be a whole number from {min} to {max}, not '{text}'");
                return defaultValue;
            }
            return value;
        };
        return option;
    }

    private static string SingleToken(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
}
