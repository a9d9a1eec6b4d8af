using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Fast.Testing;
using Xunit;

namespace Fast.Bench.Tests;

/// <summary>
/// Runs every [Benchmark] in Fast.Bench directly (no BenchmarkDotNet harness) and holds it to its
/// budget in bench/allocations.json, so an allocation sneaking into a hot path fails CI.
/// </summary>
public class AllocationBudgetTests
{
    /// <summary>Invocations per round: at most this many, fewer when one takes long (after the warm-up, a few suffice).</summary>
    private const int MaxInvocations = 200;
    private const int MinInvocations = 3;
    private static readonly TimeSpan TimePerBenchmark = TimeSpan.FromMilliseconds(200);

    /// <summary>Rounds of invocations; the budget holds the cheapest (a benchmark with worker or flush threads can hit a one-off high-water mark in one round on a loaded machine).</summary>
    private const int Rounds = 3;

    public static IEnumerable<MethodInfo> Benchmarks() =>
        typeof(Sha256Benchmarks).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null);

    private static Dictionary<string, long> Budgets()
    {
        string path = Path.Combine(RepoPaths.RequireRoot(), "bench", "allocations.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        Dictionary<string, long> budgets = [];
        foreach (JsonProperty p in doc.RootElement.GetProperty("budgets").EnumerateObject()) budgets[p.Name] = p.Value.GetInt64();
        return budgets;
    }

    private static string NameOf(MethodInfo method) => $"{method.DeclaringType!.Name}.{method.Name}";

    [Fact]
    public void Every_benchmark_has_a_budget_and_every_budget_a_benchmark()
    {
        var benchmarks = Benchmarks().Select(NameOf).ToHashSet();
        Dictionary<string, long> budgets = Budgets();
        Assert.NotEmpty(benchmarks);
        Assert.Empty(benchmarks.Except(budgets.Keys));
        Assert.Empty(budgets.Keys.Except(benchmarks));
    }

    [OptimizedBuildFact]
    public void Every_benchmark_allocates_within_its_budget()
    {
        Dictionary<string, long> budgets = Budgets();
        List<string> failures = [];
        foreach (IGrouping<Type, MethodInfo> suite in Benchmarks().GroupBy(m => m.DeclaringType!))
        {
            object instance = Activator.CreateInstance(suite.Key)!;
            Invoke<GlobalSetupAttribute>(instance);
            foreach (MethodInfo method in suite)
            {
                double perInvocation = Measure(instance, method);
                long budget = budgets.GetValueOrDefault(NameOf(method), 0);
                if (perInvocation > budget) failures.Add($"{NameOf(method)}: {perInvocation:0.#} B/op, budget {budget}");
            }
            Invoke<GlobalCleanupAttribute>(instance);
        }
        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }

    private static double Measure(object instance, MethodInfo method)
    {
        // Call through a typed delegate so the measurement itself neither boxes nor allocates argument arrays.
        if (method.ReturnType == typeof(void))
        {
            Action action = method.CreateDelegate<Action>(instance);
            int invocations = InvocationsFor(action);
            return Allocations.SteadyState(Rounds, invocations, action) / (double)invocations;
        }
        MethodInfo generic = typeof(AllocationBudgetTests).GetMethod(nameof(MeasureReturning), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.ReturnType);
        return (double)generic.Invoke(null, [instance, method])!;
    }

    private static double MeasureReturning<T>(object instance, MethodInfo method)
    {
        Func<T> func = method.CreateDelegate<Func<T>>(instance);
        T sink = default!;
        Action action = () => sink = func();
        int invocations = InvocationsFor(action);
        long bytes = Allocations.SteadyState(Rounds, invocations, action);
        GC.KeepAlive(sink);
        return bytes / (double)invocations;
    }

    /// <summary>Times one (warm-up) call and picks how many fit <see cref="TimePerBenchmark"/>.</summary>
    private static int InvocationsFor(Action action)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        action();
        TimeSpan one = System.Diagnostics.Stopwatch.GetElapsedTime(start);
        double fit = TimePerBenchmark.TotalMilliseconds / Math.Max(one.TotalMilliseconds, 0.001);
        return (int)Math.Clamp(fit, MinInvocations, MaxInvocations);
    }

    private static void Invoke<TAttribute>(object instance) where TAttribute : Attribute
    {
        foreach (MethodInfo m in instance.GetType().GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            m.Invoke(instance, null);
        }
    }
}

/// <summary>
/// A [Fact] that runs only when the benchmarks are compiled optimised, as BenchmarkDotNet and
/// `./build.sh test` (Release) run them; unoptimised (Debug) JIT code allocates where the real
/// code does not, so budgets would measure the debugger's code, not ours.
/// </summary>
public sealed class OptimizedBuildFactAttribute : FactAttribute
{
    public OptimizedBuildFactAttribute()
    {
        System.Diagnostics.DebuggableAttribute? debuggable = typeof(Sha256Benchmarks).Assembly.GetCustomAttribute<System.Diagnostics.DebuggableAttribute>();
        if (debuggable?.IsJITOptimizerDisabled == true) Skip = SkipReason;
    }

    private static string SkipReason => "allocation budgets are checked on optimised builds: run with -c Release (./build.sh test does)";
}
