using System.Globalization;
using Fast.Core.Codec;
using Fast.Fuzz.Targets;

namespace Fast.Fuzz;

/// <summary>Every fuzz target by name, and the per-target report the CLI prints. Used by Program and by the CI smoke test alike.</summary>
public static class FuzzCampaign
{
    public static readonly string[] TargetNames = ["transaction", "entry", "shred", "vote", "merkle-proof", "fec-coding", "duplicate-shred", "gossip", "program-instruction"];

    public static FuzzStats Run(string target, FuzzOptions options) => target switch
    {
        "transaction" => FuzzEngine.Run(new TransactionTarget(), options),
        "entry" => FuzzEngine.Run(new EntryTarget(), options),
        "shred" => FuzzEngine.Run(new ShredTarget(), options),
        "vote" => FuzzEngine.Run(new VoteTarget(), options),
        "merkle-proof" => FuzzEngine.Run(new MerkleProofTarget(), options),
        "fec-coding" => FuzzEngine.Run(new FecCodingTarget(), options),
        "duplicate-shred" => FuzzEngine.Run(new DuplicateShredEvidenceTarget(), options),
        "gossip" => FuzzEngine.Run(new GossipTarget(), options),
        "program-instruction" => FuzzEngine.Run(new ProgramInstructionTarget(), options),
        _ => throw new ArgumentException($"unknown fuzz target '{target}' (known: {string.Join(", ", TargetNames)})", nameof(target)),
    };

    public static (DecodeStatus Status, bool Canonical) Replay(string target, ReadOnlySpan<byte> input) => target switch
    {
        "transaction" => FuzzEngine.Replay(new TransactionTarget(), input),
        "entry" => FuzzEngine.Replay(new EntryTarget(), input),
        "shred" => FuzzEngine.Replay(new ShredTarget(), input),
        "vote" => FuzzEngine.Replay(new VoteTarget(), input),
        "merkle-proof" => FuzzEngine.Replay(new MerkleProofTarget(), input),
        "fec-coding" => FuzzEngine.Replay(new FecCodingTarget(), input),
        "duplicate-shred" => FuzzEngine.Replay(new DuplicateShredEvidenceTarget(), input),
        "gossip" => FuzzEngine.Replay(new GossipTarget(), input),
        "program-instruction" => FuzzEngine.Replay(new ProgramInstructionTarget(), input),
        _ => throw new ArgumentException($"unknown fuzz target '{target}' (known: {string.Join(", ", TargetNames)})", nameof(target)),
    };

    public static void Print(TextWriter output, FuzzStats stats)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{stats.Target,-13} {stats.Inputs,13:N0} inputs  {stats.Accepted,11:N0} accepted  {stats.Rejected,13:N0} rejected  {stats.Crashes,3} crashes  {stats.NonCanonical,3} non-canonical  {stats.Hangs,3} hangs  {stats.InputsPerSecond,11:N0}/s"));
        List<string> parts = [];
        for (int s = 1; s < stats.ByStatus.Length; s++)
        {
            if (stats.ByStatus[s] > 0) parts.Add(string.Create(c, $"{(DecodeStatus)s} {stats.ByStatus[s]:N0}"));
        }
        output.WriteLine("    rejected by status: " + (parts.Count == 0 ? "(none)" : string.Join(", ", parts)));
        foreach (string path in stats.Saved) output.WriteLine("    saved: " + path);
    }

    public static void PrintTotal(TextWriter output, IReadOnlyList<FuzzStats> all)
    {
        long inputs = all.Sum(s => s.Inputs), accepted = all.Sum(s => s.Accepted), failures = all.Sum(s => s.Failures);
        double seconds = all.Sum(s => s.Elapsed.TotalSeconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total         {inputs,13:N0} inputs  {accepted,11:N0} accepted  {inputs - accepted,13:N0} rejected  {failures} failures (crashes + non-canonical + hangs) in {seconds:0.#} s"));
    }
}
