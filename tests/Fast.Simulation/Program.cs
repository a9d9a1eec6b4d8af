using System.Diagnostics;
using Fast.Simulation;

// tests/Fast.Simulation: N validators of the real Fast.Validator machines over a virtual network.
// `dotnet run --project tests/Fast.Simulation -c Release -- --validators 10 --slots 100 --seed 1 --json`
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SimulationOptions.Usage);
    return 0;
}
SimulationOptions options;
try
{
    options = SimulationOptions.Parse(args);
}
catch (SimulationOptionsException e)
{
    Console.Error.WriteLine("fast-sim: " + e.Message);
    return 2;
}
var wall = Stopwatch.StartNew();
SimulationReport report;
using (Simulation simulation = new(options))
{
    simulation.SlotStarted = slot =>
    {
        if (slot % 100 == 0) Console.Error.WriteLine($"fast-sim: slot {slot} at {wall.Elapsed.TotalSeconds:F1} s, {System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s of CPU");
    };
    report = simulation.Run();
    Console.Error.WriteLine($"fast-sim: {simulation.Phases.Summary()} ({simulation.Workers.Groups} node threads, {simulation.Steps} steps)");
    Console.Error.WriteLine($"fast-sim: CPU (s): nodes {simulation.NodeCpuNs / 1e9:F1} over {simulation.Workers.Groups} groups, costliest group per step {simulation.NodeCriticalCpuNs / 1e9:F1}, cluster events {simulation.ClusterCpuNs / 1e9:F1}; process {System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1}");
}
Console.Error.WriteLine($"fast-sim: {options.Validators} validators, {options.Slots} slots in {wall.Elapsed.TotalSeconds:F1} s of wall time");
Console.WriteLine(report.ToJson());
return 0;
