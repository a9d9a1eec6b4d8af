using System.Diagnostics;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Net.Send;
using Fast.Node.Client;

namespace Fast.Cluster.Tests.Infrastructure;

/// <summary>Test accounts funded from the faucet, transfers among them over UDP, and checks on what landed.</summary>
public sealed class Load(SingleValidator node, int accounts)
{
    public Keypair[] Accounts { get; } = [.. Enumerable.Range(0, accounts).Select(_ => Keypair.Generate())];

    public async Task FundAsync(ulong lamports)
    {
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        List<Signature> pending = [];
        Pubkey faucet = new(node.Faucet.PublicKey);
        for (int start = 0; start < Accounts.Length; start += 20)
        {
            TransactionBuilder builder = new(faucet, blockhash);
            foreach (Keypair k in Accounts.Skip(start).Take(20)) builder.Add(SystemInstruction.Transfer(faucet, new Pubkey(k.PublicKey), lamports));
            pending.Add(await node.Rpc.SendTransactionAsync(builder.Sign(node.Faucet)));
        }
        await WaitConfirmedAsync(pending, 60);
    }

    public async Task WaitConfirmedAsync(IReadOnlyList<Signature> signatures, double seconds)
    {
        var clock = Stopwatch.StartNew();
        HashSet<Signature> left = [.. signatures];
        while (left.Count > 0)
        {
            if (clock.Elapsed.TotalSeconds > seconds) throw new TimeoutException($"{left.Count} transactions not confirmed");
            foreach (Signature[] chunk in left.Chunk(256).ToArray())
            {
                ClientSignatureStatus?[] statuses = await node.Rpc.GetSignatureStatusesAsync(chunk);
                for (int i = 0; i < chunk.Length; i++)
                {
                    if (statuses[i] is { ConfirmationStatus: "confirmed" or "finalized" }) left.Remove(chunk[i]);
                }
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Signed transfers k: account k mod n → account (k + n/2) mod n, 1 + k/n lamports.</summary>
    public List<(byte[] Bytes, Signature Signature)> Transfers(int count, Hash blockhash)
    {
        List<(byte[], Signature)> transfers = new(count);
        int n = Accounts.Length;
        for (int k = 0; k < count; k++)
        {
            byte[] tx = new byte[TransactionLimits.MaxTransactionSize];
            int length = SystemTransaction.WriteTransfer(tx, Accounts[k % n], new Pubkey(Accounts[(k + n / 2) % n].PublicKey), 1 + (ulong)(k / n), blockhash);
            Array.Resize(ref tx, length);
            TransactionView.TryParse(tx, out TransactionView view);
            transfers.Add((tx, view.FirstSignature));
        }
        return transfers;
    }

    /// <summary>Sends over UDP at about <paramref name="perSecond"/>; returns when all are sent or <paramref name="stop"/> fires.</summary>
    public static async Task SendAsync(SingleValidator node, IReadOnlyList<(byte[] Bytes, Signature Signature)> transfers, double perSecond, CancellationToken stop)
    {
        using UdpBatchSender sender = new(node.Tpu);
        var clock = Stopwatch.StartNew();
        int sent = 0;
        int[] offsets = [0];
        while (sent < transfers.Count && !stop.IsCancellationRequested)
        {
            while (sent < transfers.Count && sent < clock.Elapsed.TotalSeconds * perSecond)
            {
                byte[] tx = transfers[sent].Bytes;
                sender.Send(tx, offsets, [(ushort)tx.Length], 0, 1);
                sent++;
            }
            try
            {
                await Task.Delay(5, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The signatures among <paramref name="candidates"/> that the node reports confirmed now.</summary>
    public async Task<List<Signature>> ConfirmedAmongAsync(IReadOnlyList<Signature> candidates)
    {
        List<Signature> confirmed = [];
        foreach (Signature[] chunk in candidates.Chunk(256))
        {
            ClientSignatureStatus?[] statuses = await node.Rpc.GetSignatureStatusesAsync(chunk);
            for (int i = 0; i < chunk.Length; i++)
            {
                if (statuses[i] is { ConfirmationStatus: "confirmed" or "finalized" }) confirmed.Add(chunk[i]);
            }
        }
        return confirmed;
    }

    /// <summary>Every signature in the node's confirmed blocks from <paramref name="fromSlot"/> to its confirmed slot.</summary>
    public async Task<HashSet<Signature>> SignaturesInBlocksAsync(ulong fromSlot) => [.. (await CountSignaturesInBlocksAsync(node, fromSlot)).Keys];

    /// <summary>How many times each signature stands in the node's confirmed blocks from <paramref name="fromSlot"/> to its confirmed slot.</summary>
    public static async Task<Dictionary<Signature, int>> CountSignaturesInBlocksAsync(SingleValidator node, ulong fromSlot)
    {
        ulong to = await node.Rpc.GetSlotAsync("confirmed");
        Dictionary<Signature, int> count = [];
        for (ulong slot = fromSlot; slot <= to; slot++)
        {
            JsonElement block;
            try
            {
                block = await node.Rpc.CallAsync("getBlock", w =>
                {
                    w.WriteNumberValue(slot);
                    w.WriteStartObject();
                    w.WriteString("commitment", "confirmed");
                    w.WriteString("transactionDetails", "signatures");
                    w.WriteEndObject();
                });
            }
            catch (RpcClientException e) when (e.Code is -32007 or -32004 or -32001)
            {
                // A skipped (dead) slot; or, below the ledger's first block, one before it (-32001, Solana's
                // "cleaned up": a skipped first slot puts the first available block above it). A block
                // wrongly answered so would still fail the caller: its confirmed signatures would be missing.
                continue;
            }
            foreach (JsonElement s in block.GetProperty("signatures").EnumerateArray())
            {
                if (Signature.TryParse(s.GetString(), out Signature signature)) count[signature] = count.GetValueOrDefault(signature) + 1;
            }
        }
        return count;
    }

    /// <summary>Lamports of the faucet, the validator identity and every test account (every account that exists).</summary>
    public async Task<ulong> TotalLamportsAsync(string commitment = "confirmed")
    {
        List<Pubkey> keys = [new Pubkey(node.Faucet.PublicKey), new Pubkey(node.Bundle.Validators[0].Identity.PublicKey), .. Accounts.Select(a => new Pubkey(a.PublicKey))];
        ulong total = 0;
        foreach (Pubkey[] chunk in keys.Chunk(100))
        {
            JsonElement result = await node.Rpc.CallAsync("getMultipleAccounts", w =>
            {
                w.WriteStartArray();
                foreach (Pubkey k in chunk) w.WriteStringValue(k.ToString());
                w.WriteEndArray();
                w.WriteStartObject();
                w.WriteString("commitment", commitment);
                w.WriteEndObject();
            });
            foreach (JsonElement account in result.GetProperty("value").EnumerateArray())
            {
                if (account.ValueKind == JsonValueKind.Object) total = checked(total + account.GetProperty("lamports").GetUInt64());
            }
        }
        return total;
    }
}
