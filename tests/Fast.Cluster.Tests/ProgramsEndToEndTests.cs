using System.Diagnostics;
using System.Text.Json;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Consensus;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Client;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>
/// The built-in programs on a real two-validator cluster with 32-slot epochs (issue 13's "Done when"):
/// a 2-of-3 multisig pays out only after the second approval; a mint refuses the amount that would pass
/// its cap; a delegation is active from the next epoch boundary and earns rewards at the one after; the
/// leader schedule that getLeaderSchedule answers is the one drawn from the stakes the banks recorded
/// at the first bank of the epoch before; evidence of a validator signing two versions of a slot it led
/// slashes its stake by the genesis fraction at the next boundary, and a second submission of the same
/// evidence is refused with a typed error in getSignatureStatuses. Transactions are built with the
/// programs' instruction builders and sent over JSON-RPC (the CLI's own path).
/// </summary>
public sealed class ProgramsEndToEndTests
{
    private const ulong SlotsPerEpoch = 32;
    private const ulong Delegated = 10_000_000_000_000; // 10 % of a genesis stake: under the 9 %-of-the-cluster warm-up cap

    [Fact]
    public async Task Multisig_token_cap_delegation_rewards_schedule_and_slashing_work_on_a_live_cluster()
    {
        using LocalCluster cluster = new("programs-e2e", validators: 2, slotsPerEpoch: SlotsPerEpoch);
        await cluster.StartAllAsync();
        try
        {
            await RunAsync(cluster);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nslots (processed/confirmed): {string.Join(", ", await Task.WhenAll(cluster.Nodes.Select(SlotsAsync)))}\n{cluster.Logs()}", e);
        }
    }

    private static async Task<string> SlotsAsync(LocalCluster.Node node) =>
        $"validator {node.Index} {await node.Rpc.GetSlotAsync("processed")}/{await node.Rpc.GetSlotAsync("confirmed")}";

    private static async Task RunAsync(LocalCluster cluster)
    {
        RpcClient rpc = cluster.Nodes[0].Rpc;
        Keypair payer = cluster.Bundle.Faucet;
        Core.Genesis.Rent rent = cluster.Bundle.Config.Rent;
        (Keypair identity0, Keypair vote0) = cluster.Bundle.Validators[0];
        (Keypair identity1, _) = cluster.Bundle.Validators[1];
        await cluster.WaitForSlotAsync(2);

        // Stake first (it needs epoch boundaries): delegate to validator 0.
        var stake = Keypair.Generate();
        Pubkey stakeKey = new(stake.PublicKey);
        (ulong delegatedSlot, string? delegateError) = await SubmitAsync(rpc, payer, [stake],
            StakeInstruction.CreateStakeAccount(Key(payer), stakeKey, rent.MinimumBalance(StakeState.Length) + Delegated),
            StakeInstruction.Initialize(stakeKey, Key(payer)),
            StakeInstruction.Delegate(stakeKey, Key(vote0), Key(payer)));
        Assert.Null(delegateError);
        ulong delegatedEpoch = delegatedSlot / SlotsPerEpoch;
        Assert.Equal("activating", (await StakeActivationAsync(rpc, stakeKey)).GetProperty("state").GetString());

        // Evidence against validator 1: two versions of a slot it was scheduled to lead, both signed by its identity.
        ulong ledSlot = await SlotLedByAsync(cluster, Key(identity1));
        byte[] evidence = Equivocation(identity1, ledSlot);
        (ulong reportSlot, string? reportError) = await ReportAsync(rpc, payer, rent, evidence);
        Assert.True(reportError is null, $"evidence about slot {ledSlot} refused: {reportError}");
        ulong reportEpoch = reportSlot / SlotsPerEpoch;
        (_, string? repeatError) = await ReportAsync(rpc, payer, rent, evidence);
        Assert.Contains(Custom(305), repeatError); // the same offence again: nothing but the fee
        Pubkey slashedStake = StakeAddresses.GenesisStake(Key(identity1));

        // The next boundary after the report burns 10 % of validator 1's stake (its only delegation), after that boundary's reward:
        // with X = stake + reward, burnt = X / 10 and the stake left X − burnt; the supply's slashed total is that burn.
        (StakeState afterSlash, ulong slashReadAt) = await StakeStateAfterAsync(rpc, slashedStake, (reportEpoch + 1) * SlotsPerEpoch);
        (byte[] history, ulong historyReadAt) = await AccountDataAsync(rpc, StakeAddresses.StakeHistory);
        Assert.True(StakeHistoryState.TryRead(history, out StakeHistoryState supplyFigures));
        Assert.True(slashReadAt / SlotsPerEpoch == reportEpoch + 1 && historyReadAt / SlotsPerEpoch == reportEpoch + 1, $"read at slots {slashReadAt} and {historyReadAt}: an epoch late");
        ulong burnt = supplyFigures.SlashedTotal;
        Assert.True(burnt > 0, "nothing was slashed");
        Assert.Equal((afterSlash.Stake + burnt) * 1000 / 10_000, burnt);

        // A 2-of-3 multisig pays out only after the second approval.
        Keypair m1 = Keypair.Generate(), m2 = Keypair.Generate(), m3 = Keypair.Generate(), multisig = Keypair.Generate(), proposal = Keypair.Generate();
        Pubkey recipient = new(Keypair.Generate().PublicKey);
        Pubkey vault = MultisigVault.Derive(Key(multisig));
        Instruction[] payout = [SystemInstruction.Transfer(vault, recipient, 1_000_000_000)];
        Assert.Null((await SubmitAsync(rpc, payer, [multisig],
            MultisigInstruction.CreateMultisigAccount(Key(payer), Key(multisig), rent.MinimumBalance(MultisigView.Length)),
            MultisigInstruction.Create(Key(multisig), 2, [Key(m1), Key(m2), Key(m3)], 1000),
            SystemInstruction.Transfer(Key(payer), vault, 5_000_000_000))).Error);
        Assert.Null((await SubmitAsync(rpc, payer, [proposal, m1],
            MultisigInstruction.CreateProposalAccount(Key(payer), Key(proposal), rent.MinimumBalance((ulong)MultisigInstruction.ProposalLength(payout)), payout),
            MultisigInstruction.Propose(Key(multisig), Key(proposal), Key(m1), payout),
            MultisigInstruction.Approve(Key(multisig), Key(proposal), Key(m1)))).Error);
        (_, string? early) = await SubmitAsync(rpc, payer, [], MultisigInstruction.Execute(Key(multisig), Key(proposal), payout));
        Assert.Contains(Custom(202), early);
        Assert.Equal(0UL, await rpc.GetBalanceAsync(recipient));
        Assert.Null((await SubmitAsync(rpc, payer, [m2], MultisigInstruction.Approve(Key(multisig), Key(proposal), Key(m2)))).Error);
        Assert.Null((await SubmitAsync(rpc, payer, [], MultisigInstruction.Execute(Key(multisig), Key(proposal), payout))).Error);
        Assert.Equal(1_000_000_000UL, await rpc.GetBalanceAsync(recipient));

        // A mint refuses the amount that would pass its cap.
        Keypair mint = Keypair.Generate(), account = Keypair.Generate();
        Assert.Null((await SubmitAsync(rpc, payer, [mint, account],
            TokenInstruction.CreateMintAccount(Key(payer), Key(mint), rent.MinimumBalance(MintState.Length)),
            TokenInstruction.InitializeMint(Key(mint), Key(payer), 0, maxSupply: 1000),
            TokenInstruction.CreateTokenAccount(Key(payer), Key(account), rent.MinimumBalance(TokenAccountState.Length)),
            TokenInstruction.InitializeAccount(Key(account), Key(mint), Key(payer)),
            TokenInstruction.MintTo(Key(mint), Key(account), Key(payer), 600))).Error);
        (_, string? overCap) = await SubmitAsync(rpc, payer, [], TokenInstruction.MintTo(Key(mint), Key(account), Key(payer), 401));
        Assert.Contains(Custom(100), overCap);
        JsonElement supply = await rpc.CallAsync("getTokenSupply", w => Params(w, Key(mint)));
        Assert.Equal("600", supply.GetProperty("value").GetProperty("amount").GetString());

        // The delegation is active from the next boundary and earns rewards at the one after.
        await WaitForSlotAsync(rpc, (delegatedEpoch + 1) * SlotsPerEpoch);
        Assert.Equal("active", (await StakeActivationAsync(rpc, stakeKey)).GetProperty("state").GetString());
        (StakeState rewardedStake, _) = await StakeStateAfterAsync(rpc, stakeKey, (delegatedEpoch + 2) * SlotsPerEpoch);
        Assert.Equal(delegatedEpoch + 1, rewardedStake.LastRewardEpoch);
        Assert.True(rewardedStake.LastRewardLamports > 0 && rewardedStake.Stake == Delegated + rewardedStake.LastRewardLamports);

        // Epoch delegatedEpoch + 2's schedule: drawn from the stakes the first bank of delegatedEpoch + 1 recorded (validator 0 with the delegation), on both nodes.
        ulong scheduled = delegatedEpoch + 2;
        await WaitForSlotAsync(rpc, (scheduled - 1) * SlotsPerEpoch + 1, "finalized");
        (byte[] table, _) = await AccountDataAsync(rpc, StakeAddresses.EpochStakes, "finalized");
        List<(Pubkey Identity, ulong Stake)> stakes = EpochStakesState.StakesFor(table, scheduled, out ulong recordEpoch)!;
        Assert.Equal(scheduled, recordEpoch);
        Assert.True(stakes.Single(s => s.Identity == Key(identity0)).Stake >= cluster.Bundle.Config.Validators[0].StakeLamports + Delegated);
        var expected = LeaderSchedule.Compute(cluster.Bundle.Hash, new Epoch(scheduled), SlotsPerEpoch, stakes);
        foreach (LocalCluster.Node node in cluster.Nodes)
        {
            JsonElement answer = await node.Rpc.CallAsync("getLeaderSchedule", w => w.WriteNumberValue(scheduled * SlotsPerEpoch));
            foreach (JsonProperty leader in answer.EnumerateObject())
            {
                foreach (JsonElement index in leader.Value.EnumerateArray())
                {
                    Assert.Equal(expected.LeaderAt(scheduled * SlotsPerEpoch + index.GetUInt64()).ToString(), leader.Name);
                }
            }
        }
    }

    private static Pubkey Key(Keypair keypair) => new(keypair.PublicKey);

    /// <summary>A program error as getSignatureStatuses writes it (docs/programs.md: 100 MintCapExceeded, 202 ProposalThresholdNotMet, 305 OffenceAlreadyRecorded).</summary>
    private static string Custom(int code) => $"\"Custom\":{code}";

    /// <summary>The params of a one-account call (the client writes the enclosing array).</summary>
    private static void Params(Utf8JsonWriter w, Pubkey key, string commitment = "confirmed")
    {
        w.WriteStringValue(key.ToString());
        w.WriteStartObject();
        w.WriteString("commitment", commitment);
        w.WriteString("encoding", "base64");
        w.WriteEndObject();
    }

    /// <summary>
    /// Signs (payer first), sends, and waits until the transaction is confirmed: its slot and its error (null: success).
    /// Like a Solana client it sends again every 2 s while the signature is unseen, and after 10 s with no attempt seen
    /// signs it again over a fresh blockhash (seen once in a few runs: the very first transaction after start-up never
    /// reached a leader); an attempt seen processed is waited for up to 40 s instead.
    /// </summary>
    private static async Task<(ulong Slot, string? Error)> SubmitAsync(RpcClient rpc, Keypair payer, Keypair[] signers, params Instruction[] instructions)
    {
        // Every attempt's signature is watched to the end: an earlier attempt that lands late is the answer (a re-signed
        // copy executing after it would fail as a duplicate, e.g. AccountAlreadyExists for a create — seen once in a full run).
        List<Signature> attempts = [];
        for (int attempt = 0; attempt < 3; attempt++)
        {
            (Hash blockhash, _) = await rpc.GetLatestBlockhashAsync();
            TransactionBuilder builder = new(Key(payer), blockhash);
            foreach (Instruction instruction in instructions) builder.AddInstruction(instruction.ProgramId, instruction.Accounts, instruction.Data);
            byte[] transaction = builder.Sign([payer, .. signers]);
            attempts.Add(await rpc.SendTransactionAsync(transaction));
            var clock = Stopwatch.StartNew();
            bool seen = false;
            while (clock.Elapsed < TimeSpan.FromSeconds(seen ? 40 : 10))
            {
                ClientSignatureStatus?[] statuses = await rpc.GetSignatureStatusesAsync(attempts);
                foreach (ClientSignatureStatus? status in statuses)
                {
                    if (status is { ConfirmationStatus: "confirmed" or "finalized" }) return (status.Slot, status.Error);
                }
                seen = statuses.Any(s => s is not null); // processed somewhere: wait for it rather than sign it again
                if (statuses[^1] is null && clock.ElapsedMilliseconds / 100 % 20 == 19) await rpc.SendTransactionAsync(transaction);
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"transaction ({string.Join(", ", instructions.Select(i => i.ProgramId.ToString()[..6] + ":" + i.Data[0]))}) was not confirmed in three tries; " +
            $"processed slot {await rpc.GetSlotAsync("processed")}, confirmed {await rpc.GetSlotAsync("confirmed")}");
    }

    /// <summary>Writes <paramref name="evidence"/> into a fresh buffer and reports it: the report's slot and error.</summary>
    private static async Task<(ulong Slot, string? Error)> ReportAsync(RpcClient rpc, Keypair payer, Core.Genesis.Rent rent, byte[] evidence)
    {
        var buffer = Keypair.Generate();
        Assert.Null((await SubmitAsync(rpc, payer, [buffer], StakeInstruction.CreateEvidenceBuffer(Key(payer), Key(buffer), rent.MinimumBalance(EvidenceBuffer.Length)))).Error);
        foreach (Instruction write in StakeInstruction.WriteEvidenceChunks(Key(buffer), Key(payer), evidence)) Assert.Null((await SubmitAsync(rpc, payer, [], write)).Error);
        return await SubmitAsync(rpc, payer, [], StakeInstruction.ReportEquivocation(Key(buffer), Key(payer)));
    }

    /// <summary>
    /// The first slot at or after 1 that <paramref name="identity"/> leads by getLeaderSchedule, once the cluster is past it.
    /// An epoch's schedule may leave it out (8 draws of 4 slots): then the next epoch's, asked for once it is known.
    /// </summary>
    private static async Task<ulong> SlotLedByAsync(LocalCluster cluster, Pubkey identity)
    {
        RpcClient rpc = cluster.Nodes[0].Rpc;
        for (ulong epoch = await rpc.GetSlotAsync("processed") / SlotsPerEpoch; ; epoch++)
        {
            JsonElement schedule = await rpc.CallAsync("getLeaderSchedule", w => w.WriteNumberValue(epoch * SlotsPerEpoch));
            while (schedule.ValueKind == JsonValueKind.Null)
            {
                await Task.Delay(200); // the epoch's stakes are not recorded yet
                schedule = await rpc.CallAsync("getLeaderSchedule", w => w.WriteNumberValue(epoch * SlotsPerEpoch));
            }
            if (!schedule.TryGetProperty(identity.ToString(), out JsonElement indexes)) continue;
            ulong slot = indexes.EnumerateArray().Select(i => epoch * SlotsPerEpoch + i.GetUInt64()).Where(s => s >= 1).Min();
            await cluster.WaitForSlotAsync(slot + 1);
            return slot;
        }
    }

    /// <summary>Two shreds of <paramref name="slot"/> from different blocks, each FEC set root signed by <paramref name="leader"/>.</summary>
    private static byte[] Equivocation(Keypair leader, ulong slot)
    {
        byte[] first = SignedShred(leader, slot, 1), second = SignedShred(leader, slot, 2);
        Assert.True(DuplicateShredEvidence.TryFindConflict(first, second, out DuplicateShredConflict conflict));
        byte[] buffer = new byte[DuplicateShredEvidence.MaxSize];
        int length = DuplicateShredEvidence.Write(buffer, conflict, Key(leader), first, second);
        return buffer[..length];
    }

    private static byte[] SignedShred(Keypair leader, ulong slot, int seed)
    {
        Shredder shredder = new(leader, 1);
        shredder.BeginSlot(slot, slot - 1, default);
        byte[] payload = new byte[3000];
        new Random(seed).NextBytes(payload);
        Assert.True(shredder.TryAppend(payload));
        byte[] buffer = new byte[Shredder.SetBufferSize];
        return shredder.FinishSlot(buffer).Shred(buffer, 0).ToArray();
    }

    /// <summary>getStakeActivation at confirmed; retried for a few seconds while the confirmed bank does not show the account yet (a status can be confirmed a moment before the RPC's confirmed bank moves).</summary>
    private static async Task<JsonElement> StakeActivationAsync(RpcClient rpc, Pubkey stake)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await rpc.CallAsync("getStakeActivation", w => Params(w, stake));
            }
            catch (RpcClientException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<(byte[] Data, ulong Slot)> AccountDataAsync(RpcClient rpc, Pubkey key, string commitment = "confirmed")
    {
        JsonElement result = await rpc.CallAsync("getAccountInfo", w => Params(w, key, commitment));
        ulong slot = result.GetProperty("context").GetProperty("slot").GetUInt64();
        JsonElement value = result.GetProperty("value");
        return (value.ValueKind == JsonValueKind.Null ? [] : Convert.FromBase64String(value.GetProperty("data")[0].GetString()!), slot);
    }

    private static async Task<(StakeState State, ulong Slot)> StakeStateAsync(RpcClient rpc, Pubkey key)
    {
        (byte[] data, ulong slot) = await AccountDataAsync(rpc, key);
        Assert.True(StakeState.TryRead(data, out StakeState state), $"{key} is not a stake account");
        return (state, slot);
    }

    /// <summary>The stake account as of the first confirmed read at or after <paramref name="slot"/>.</summary>
    private static async Task<(StakeState State, ulong Slot)> StakeStateAfterAsync(RpcClient rpc, Pubkey key, ulong slot)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            (StakeState state, ulong at) = await StakeStateAsync(rpc, key);
            if (at >= slot) return (state, at);
            await Task.Delay(100);
        }
        throw new TimeoutException($"the cluster did not reach slot {slot}");
    }

    private static async Task WaitForSlotAsync(RpcClient rpc, ulong slot, string commitment = "confirmed")
    {
        var clock = Stopwatch.StartNew();
        while (await rpc.GetSlotAsync(commitment) < slot)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"the cluster did not reach slot {slot} ({commitment})");
            await Task.Delay(100);
        }
    }
}
