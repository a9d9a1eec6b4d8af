using System.Buffers.Binary;
using System.Security.Cryptography;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Fast.Exec.Workloads;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Banking;

/// <summary>
/// The accounts-delta hash computed in parts (multi-lane SHA-256 leaves and Merkle levels, bucketed
/// sort, subtrees on the scheduler's workers) has the definition it always had: golden bank hashes
/// recorded from the serial freeze it replaced, an independent oracle (.NET SHA-256, LINQ sort, a
/// plain Merkle fold) at every size around the part boundaries, and the parallel freeze equal to the
/// serial one.
/// </summary>
public class AccountsDeltaHashTests
{
    private static readonly Pubkey Leader = TestChain.Key(1000);

    /// <summary>Genesis: a transfer workload's accounts, plus accounts with data of many lengths and keys sharing 8-byte prefixes.</summary>
    private static GenesisConfig MixedGenesis(TransferWorkload workload, int dataAccounts)
    {
        List<(Pubkey, Account)> accounts = [.. workload.Genesis(1_000_000_000, TestChain.GenesisHash, Leader).Accounts];
        for (int i = 0; i < dataAccounts; i++)
        {
            byte[] key = TestChain.Key(50_000 + i).Span.ToArray();
            if (i % 3 == 0) key.AsSpan(0, 8).Fill(0x5A); // equal prefixes: ordered by the whole key
            byte[] data = new byte[(i * 37) % 700];
            for (int j = 0; j < data.Length; j++) data[j] = (byte)(i + j);
            accounts.Add((new Pubkey(key), new Account(5_000_000_000, TestChain.Key(7), i % 5 == 0, data)));
        }
        return new GenesisConfig(TestChain.GenesisHash, accounts) { Leader = Leader };
    }

    [Fact]
    public void The_bank_hashes_of_a_fixed_chain_equal_those_the_serial_freeze_produced_before_it_was_parallel()
    {
        using TestChain chain = new();
        TransferWorkload workload = new(9000, hotAccounts: 4, seed: 5);
        var forks = BankForks.Open(chain.Accounts, MixedGenesis(workload, 300));
        TransferBlock block = workload.CreateBlock(4500, 0.1, new Random(9));
        block.Refresh(TestChain.GenesisHash, 1);
        Bank one = forks.NewBank(1, 0, Leader);
        using (SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 2 }))
        {
            var results = new TransactionResult[block.Count];
            scheduler.Execute(one, block.Transactions, results);
            Assert.All(results, r => Assert.True(r.IsOk));
            one.Freeze(TestChain.HashOf("slot 1"));
        }

        // Recorded from the serial freeze (one SHA-NI call per leaf and per node, one sort) before this change.
        Assert.Equal("7uPb8STGxYBu9xUhY8jrk963w9mUM4LmzJRb9aHodAyz", forks.Root.Hash.ToString());
        Assert.Equal("7SWP5K8hgPzDquNHeDDjBbZxEGqs4ro4fL8kJE1K4Fqb", one.Hash.ToString());
    }

    /// <summary>Sizes around the leaf parts (1024), the subtrees (4096) and the parallel threshold.</summary>
    public static TheoryData<int> Sizes() => [0, 1, 2, 3, 17, 1023, 1024, 1025, 4095, 4096, 4097, 8192, 12_289];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_genesis_accounts_delta_hash_equals_an_independent_merkle_root_over_dotnet_sha256_leaves_in_key_order(int count)
    {
        using TestChain chain = new();
        List<(Pubkey Key, Account Account)> accounts = [];
        for (int i = 0; i < count; i++)
        {
            byte[] key = TestChain.Key(i).Span.ToArray();
            if (i % 4 == 0) key.AsSpan(0, 8).Fill(0x11);
            byte[] data = i % 9 == 0 ? new byte[(i * 13) % 300] : [];
            data.AsSpan().Fill((byte)i);
            accounts.Add((new Pubkey(key), new Account(1_000_000_000 + (ulong)i, TestChain.Key(i % 3), i % 7 == 0, data)));
        }
        var genesis = Bank.Genesis(chain.Accounts, new GenesisConfig(TestChain.GenesisHash, accounts));

        Assert.Equal(Oracle(accounts), genesis.AccountsDeltaHash);
    }

    [Fact]
    public void A_slot_executed_on_the_parallel_scheduler_freezes_to_the_same_bank_hash_as_the_same_slot_executed_serially()
    {
        TransferWorkload workload = new(20_000, hotAccounts: 4, seed: 8);
        TransferBlock block = workload.CreateBlock(10_000, 0.05, new Random(4));
        var hashes = new Hash[2];
        for (int run = 0; run < 2; run++)
        {
            using TestChain chain = new();
            var forks = BankForks.Open(chain.Accounts, MixedGenesis(workload, 50));
            Bank one = forks.NewBank(1, 0, Leader);
            block.Refresh(TestChain.GenesisHash, 1);
            if (run == 0)
            {
                foreach (VerifiedTransaction tx in block.Transactions) Assert.True(one.Process(tx.View).IsOk);
            }
            else
            {
                using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 3 });
                var results = new TransactionResult[block.Count];
                scheduler.Execute(one, block.Transactions, results);
            }
            hashes[run] = one.Freeze(TestChain.HashOf("slot 1"));
        }
        Assert.Equal(hashes[0], hashes[1]);
    }

    /// <summary>The definition, written plainly: sha256(0x00 ‖ key ‖ u64 lamports ‖ owner ‖ u8 executable ‖ u64 data length ‖ data) per account, sorted by key, folded pairwise with sha256(0x01 ‖ left ‖ right), an odd last node promoted.</summary>
    private static Hash Oracle(List<(Pubkey Key, Account Account)> accounts)
    {
        if (accounts.Count == 0) return Hash.Zero;
        List<byte[]> level = [.. accounts.OrderBy(a => a.Key).Select(a =>
        {
            byte[] preimage = new byte[82 + a.Account.DataLength];
            a.Key.CopyTo(preimage.AsSpan(1, 32));
            BinaryPrimitives.WriteUInt64LittleEndian(preimage.AsSpan(33), a.Account.Lamports);
            a.Account.Owner.CopyTo(preimage.AsSpan(41, 32));
            preimage[73] = a.Account.Executable ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt64LittleEndian(preimage.AsSpan(74), (ulong)a.Account.DataLength);
            a.Account.Data.CopyTo(preimage.AsSpan(82));
            return SHA256.HashData(preimage);
        })];
        while (level.Count > 1)
        {
            List<byte[]> next = [];
            for (int i = 0; i < level.Count; i += 2)
            {
                next.Add(i + 1 < level.Count ? SHA256.HashData([0x01, .. level[i], .. level[i + 1]]) : level[i]);
            }
            level = next;
        }
        return new Hash(level[0]);
    }
}
