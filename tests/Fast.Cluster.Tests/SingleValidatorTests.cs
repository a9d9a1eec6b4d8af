using System.Text.Json;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Merkle;
using Fast.Core.Primitives;
using Fast.Testing;
using Xunit;

namespace Fast.Cluster.Tests;

[Collection("cluster")]
public class SingleValidatorTests
{
    [Fact]
    public async Task A_faucet_transfer_confirms_shows_in_the_balance_and_has_a_valid_inclusion_proof()
    {
        using SingleValidator node = new("transfer-test");
        await node.StartAsync();
        using TempDir keys = new();
        string alice = keys.File("alice.json");
        (int keygen, string pubkey) = FastProcess.Run(TimeSpan.FromSeconds(30), "keygen", "-o", alice);
        Assert.Equal(0, keygen);
        // stdout (the key) and stderr ("Wrote keypair to ...") arrive on two pipes, in either order.
        string alicePubkey = pubkey.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last(l => !l.Contains(' '));

        (int transfer, string output) = FastProcess.Run(TimeSpan.FromSeconds(90), "transfer", "--from", node.FaucetPath, "--to", alicePubkey,
            "--amount", "1000000", "--url", node.Url, "--wait", "confirmed");
        Assert.True(transfer == 0, output);
        string signatureText = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim();
        Assert.True(Signature.TryParse(signatureText, out Signature signature), output);

        (int balance, string lamports) = FastProcess.Run(TimeSpan.FromSeconds(30), "balance", alicePubkey, "--url", node.Url);
        Assert.Equal(0, balance);
        Assert.Equal("1000000", lamports.Trim());

        (int tx, string shown) = FastProcess.Run(TimeSpan.FromSeconds(30), "tx", signatureText, "--url", node.Url);
        Assert.True(tx == 0, shown);
        Assert.Contains("status:       ok", shown);

        JsonElement proof = await node.Rpc.CallAsync("getTransactionProof", w =>
        {
            w.WriteStringValue(signatureText);
            w.WriteStartObject();
            w.WriteString("commitment", "confirmed");
            w.WriteEndObject();
        });
        Assert.True(Hash.TryParse(proof.GetProperty("leaf").GetString(), out Hash leaf));
        Assert.True(Hash.TryParse(proof.GetProperty("transactionsRoot").GetString(), out Hash root));
        Hash[] path = [.. proof.GetProperty("proof").EnumerateArray().Select(h => Hash.TryParse(h.GetString(), out Hash x) ? x : default)];
        Assert.True(MerkleTree.VerifyProof(leaf, proof.GetProperty("index").GetInt64(), proof.GetProperty("leafCount").GetInt64(), path, root));

        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_clean_restart_resumes_with_the_same_balances_and_later_slots()
    {
        using SingleValidator node = new("restart-test");
        await node.StartAsync();
        Load load = new(node, 4);
        await load.FundAsync(1_000_000);
        ulong before = await node.Rpc.GetSlotAsync("confirmed");
        Pubkey first = new(load.Accounts[0].PublicKey);
        Assert.Equal(1_000_000UL, await node.Rpc.GetBalanceAsync(first));

        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
        Assert.Contains("checkpointed at root", node.Process.Output);

        await node.StartAsync();
        Assert.Equal(1_000_000UL, await node.Rpc.GetBalanceAsync(first, "finalized"));
        await node.WaitForSlotAsync(before + 3);
        Assert.Equal(node.Bundle.Config.TotalLamports, await load.TotalLamportsAsync());
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Transfers_sent_as_TCP_frames_to_the_TPU_confirm()
    {
        using SingleValidator node = new("tcp-test");
        await node.StartAsync();
        Load load = new(node, 4);
        await load.FundAsync(1_000_000);
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        List<(byte[] Bytes, Signature Signature)> transfers = load.Transfers(40, blockhash);

        using System.Net.Sockets.Socket socket = new(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, node.TpuTcpPort));
        byte[] stream = new byte[transfers.Count * (2 + Core.Transactions.TransactionLimits.MaxTransactionSize)];
        int length = 0;
        foreach ((byte[] bytes, _) in transfers) length += Net.Ingest.TcpIngest.WriteFrame(bytes, stream.AsSpan(length));
        await socket.SendAsync(stream.AsMemory(0, length));

        await load.WaitConfirmedAsync([.. transfers.Select(t => t.Signature)], 60);
        Assert.Equal(node.Bundle.Config.TotalLamports, await load.TotalLamportsAsync());
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Transfer_waits_for_finalized_and_a_failing_transfer_exits_one_with_its_reason()
    {
        using SingleValidator node = new("wait-test", "--root-distance", "4");
        await node.StartAsync();
        using TempDir keys = new();
        string bob = keys.File("bob.json");
        Assert.Equal(0, FastProcess.Run(TimeSpan.FromSeconds(30), "keygen", "-o", bob).ExitCode);
        string bobKey = FastProcess.Run(TimeSpan.FromSeconds(30), "pubkey", bob).Output.Trim();

        (int finalized, string output) = FastProcess.Run(TimeSpan.FromSeconds(90), "transfer", "--from", node.FaucetPath, "--to", bobKey,
            "--amount", "1000000", "--url", node.Url, "--wait", "finalized");
        Assert.True(finalized == 0, output);
        Assert.Contains("finalized in slot", output);

        // Bob pays the fee but cannot cover the amount: committed, failed, exit 1 with the reason.
        (int failed, string reason) = FastProcess.Run(TimeSpan.FromSeconds(90), "transfer", "--from", bob, "--to", new Pubkey(node.Faucet.PublicKey).ToString(),
            "--amount", "2000000", "--url", node.Url, "--wait", "confirmed");
        Assert.Equal(1, failed);
        Assert.Contains("error: transaction failed in slot", reason);
        Assert.Contains("""{"InstructionError":[0,{"Custom":1}]}""", reason); // Solana's SystemError::ResultWithNegativeLamports
        Assert.Equal(995_000UL, await node.Rpc.GetBalanceAsync(new Pubkey(Base58Key(bobKey)))); // 1,000,000 − the 5,000 fee
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    private static byte[] Base58Key(string text)
    {
        byte[] key = new byte[32];
        Assert.True(Fast.Crypto.Base58.TryDecodeExact(text, key));
        return key;
    }

    [Fact]
    public void A_validator_with_a_missing_genesis_exits_with_a_one_line_error()
    {
        using TempDir dir = new();
        (int code, string output) = FastProcess.Run(TimeSpan.FromSeconds(60), "validator", "--identity", dir.File("id.json"), "--genesis", dir.File("nope.bin"), "--ledger", dir.File("ledger"));
        Assert.Equal(2, code);
        Assert.Single(output.Trim().Split('\n'));
        Assert.StartsWith("error: ", output.Trim());
    }
}
