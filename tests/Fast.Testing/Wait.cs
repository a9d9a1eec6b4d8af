namespace Fast.Testing;

/// <summary>Polling for a condition another thread or process makes true.</summary>
public static class Wait
{
    /// <summary>Polls every 5 ms until <paramref name="condition"/> holds or the time is up; the final check's answer.</summary>
    public static bool Until(Func<bool> condition, int milliseconds = 5000)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(milliseconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            Thread.Sleep(5);
        }
        return condition();
    }
}
