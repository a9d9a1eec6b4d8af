using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Scheduling;

/// <summary>
/// Rule 5 (determinism): for random blocks full of conflicts, failures and duplicates, the Sealevel
/// scheduler with any worker count, batch size and window gives exactly the results, accounts and
/// bank hash of executing the block serially in block order.
/// </summary>
public sealed class ParallelEqualsSerialTests : IDisposable
{
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("FAST_PROPERTY_CASES"), out int n) ? n : 2000;

    private readonly TestChain _chain = new();
    private readonly SealevelScheduler[] _schedulers =
    [
        new(new SchedulerOptions { Workers = 1, BatchSize = 64 }),
        new(new SchedulerOptions { Workers = 2, BatchSize = 4, Window = 16 }),
        new(new SchedulerOptions { Workers = 2, BatchSize = 64 }),
        new(new SchedulerOptions { Workers = 3, BatchSize = 1, Window = 3 }),
        new(new SchedulerOptions { Workers = 4, BatchSize = 8, Window = 64, MaxBatchesInFlight = 3 }),
    ];

    [Fact]
    public void Random_blocks_with_random_conflicts_execute_in_parallel_exactly_as_serially()
    {
        int transactions = 0, failed = 0, duplicates = 0;
        for (int c = 0; c < Cases; c++)
        {
            Random random = new(c);
            BlockGenerator generator = new(random);
            GenesisConfig genesis = generator.Genesis();
            var serial = Bank.Genesis(_chain.Accounts, genesis);
            var parallel = Bank.Genesis(_chain.Accounts, genesis);
            SealevelScheduler scheduler = _schedulers[c % _schedulers.Length];
            int slots = random.Next(3) == 0 ? 3 : 1;
            for (int s = 1; s <= slots; s++)
            {
                Pubkey leader = generator.Pick();
                serial = new Bank(serial, (ulong)s, leader);
                parallel = new Bank(parallel, (ulong)s, leader);
                byte[][] block = generator.Block(serial);
                var verified = new VerifiedTransaction[block.Length];
                for (int i = 0; i < block.Length; i++) verified[i] = TestTransactions.Verified(block[i]);
                ulong[] expectedBalances = new ulong[SealevelScheduler.BalanceCount(verified)];
                var expected = new TransactionResult[block.Length];
                for (int i = 0, at = 0; i < block.Length; i++)
                {
                    int n = 2 * verified[i].Layout.AccountKeyCount;
                    expected[i] = serial.Process(TestTransactions.View(block[i]), expectedBalances.AsSpan(at, n));
                    at += n;
                }
                var actual = new TransactionResult[block.Length];
                ulong[] actualBalances = new ulong[expectedBalances.Length];
                scheduler.Execute(parallel, verified, actual, actualBalances);

                for (int i = 0, at = 0; i < block.Length; i++)
                {
                    if (expected[i] != actual[i]) Assert.Fail($"case {c} slot {s} tx {i} ({scheduler.Workers} workers): serial {expected[i]}, parallel {actual[i]}");
                    int n = 2 * verified[i].Layout.AccountKeyCount;
                    if (expected[i].IsCommitted && !expectedBalances.AsSpan(at, n).SequenceEqual(actualBalances.AsSpan(at, n)))
                    {
                        Assert.Fail($"case {c} slot {s} tx {i}: serial balances [{string.Join(",", expectedBalances.AsSpan(at, n).ToArray())}], parallel [{string.Join(",", actualBalances.AsSpan(at, n).ToArray())}]");
                    }
                    at += n;
                }
                Hash last = TestChain.HashOf($"case {c} slot {s}");
                Hash serialHash = serial.Freeze(last);
                Hash parallelHash = parallel.Freeze(last);
                if (serialHash != parallelHash)
                {
                    Assert.Equal(serial.ReadAllAccounts().OrderBy(p => p.Key), parallel.ReadAllAccounts().OrderBy(p => p.Key));
                    Assert.Fail($"case {c} slot {s}: bank hashes differ with equal accounts");
                }
                Assert.Equal(serial.SignatureCount, parallel.SignatureCount);
                Assert.Equal(serial.CollectedFees, parallel.CollectedFees);
                transactions += block.Length;
                failed += expected.Count(r => !r.IsOk);
                duplicates += expected.Count(r => r.Error == TransactionError.AlreadyProcessed);
            }
            Dictionary<Pubkey, Account> accounts = parallel.ReadAllAccounts();
            Assert.Equal(serial.ReadAllAccounts().OrderBy(p => p.Key), accounts.OrderBy(p => p.Key));
            Assert.Equal(parallel.Capitalization, accounts.Values.Aggregate(0UL, (sum, a) => checked(sum + a.Lamports)));
        }
        // The generator must exercise failures and duplicates, not just happy paths.
        Assert.True(failed > transactions / 10, $"{failed} of {transactions} failed");
        Assert.True(duplicates > Cases / 4, $"{duplicates} duplicates");
    }

    public void Dispose()
    {
        foreach (SealevelScheduler scheduler in _schedulers) scheduler.Dispose();
        _chain.Dispose();
    }

    /// <summary>Random genesis states and blocks over a small key set, so transactions collide often.</summary>
    private sealed class BlockGenerator(Random random)
    {
        private readonly List<Pubkey> _keys = [];
        private readonly List<byte[]> _sent = [];
        private readonly Pubkey _otherProgram = TestChain.HashOf("other program") is var h ? new Pubkey(h.Span) : default;

        public Pubkey Pick() => _keys[random.Next(_keys.Count)];

        public GenesisConfig Genesis()
        {
            int count = random.Next(2, 20);
            List<(Pubkey, Account)> accounts = [];
            for (int i = 0; i < count; i++)
            {
                Pubkey key = TestChain.Key(random.Next(1_000_000));
                if (_keys.Contains(key)) continue;
                _keys.Add(key);
                ulong lamports = random.Next(4) switch
                {
                    0 => (ulong)random.Next(0, 12_000),
                    1 => 1UL << 40,
                    _ => (ulong)random.Next(1, 5_000_000),
                };
                Pubkey owner = random.Next(8) == 0 ? _otherProgram : Pubkey.Zero;
                byte[]? data = random.Next(10) == 0 ? new byte[random.Next(1, 40)] : null;
                accounts.Add((key, new Account(lamports, owner, false, data)));
            }
            for (int i = 0; i < 3; i++) _keys.Add(TestChain.Key(2_000_000 + random.Next(1000))); // not funded
            return new GenesisConfig(TestChain.HashOf("property genesis"), accounts);
        }

        public byte[][] Block(Bank bank)
        {
            int count = random.Next(1, 120);
            byte[][] block = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                if (_sent.Count > 0 && random.Next(12) == 0)
                {
                    block[i] = _sent[random.Next(_sent.Count)]; // a duplicate (same signature)
                    continue;
                }
                block[i] = Transaction(bank);
                _sent.Add(block[i]);
            }
            return block;
        }

        private byte[] Transaction(Bank bank)
        {
            Hash blockhash = random.Next(40) switch
            {
                0 => TestChain.HashOf("unknown blockhash"),
                _ => bank.Blockhashes.Entries[random.Next(bank.Blockhashes.Count)].Hash,
            };
            Pubkey payer = Pick();
            int instructions = random.Next(5) == 0 ? random.Next(2, 4) : 1;
            var list = new Instruction[instructions];
            for (int i = 0; i < instructions; i++) list[i] = Instruction(payer);
            return TestTransactions.Build(random, payer, blockhash, list);
        }

        private Instruction Instruction(Pubkey payer)
        {
            Pubkey a = random.Next(2) == 0 ? payer : Pick();
            Pubkey b = Pick();
            switch (random.Next(14))
            {
                case 0:
                    Pubkey fresh = random.Next(2) == 0 ? TestChain.Key(3_000_000 + random.Next(50)) : b;
                    if (!_keys.Contains(fresh)) _keys.Add(fresh);
                    return SystemInstruction.CreateAccount(a, fresh, (ulong)random.Next(0, 100_000), (ulong)random.Next(0, 64), random.Next(2) == 0 ? _otherProgram : Pubkey.Zero);
                case 1:
                    return SystemInstruction.Assign(a, random.Next(3) == 0 ? Pubkey.Zero : _otherProgram);
                case 2:
                    return SystemInstruction.Allocate(a, (ulong)random.Next(0, 100));
                case 3:
                    // A transfer that also reads a third account (a shared read lock).
                    Instruction transfer = SystemInstruction.Transfer(a, b, (ulong)random.Next(0, 10_000));
                    Pubkey reader = Pick();
                    return reader == a || reader == b ? transfer : transfer with { Accounts = [.. transfer.Accounts, Fast.Core.Transactions.AccountMeta.ReadOnly(reader)] };
                case 4:
                    return new Instruction(_otherProgram, [Fast.Core.Transactions.AccountMeta.Writable(a, true)], [2, 0, 0, 0]);
                case 5:
                    return new Instruction(SystemProgram.Id, [Fast.Core.Transactions.AccountMeta.Writable(a, true)], [(byte)random.Next(256), 1]);
                case 6:
                    // A transfer whose destination the transaction marks read-only.
                    return new Instruction(SystemProgram.Id, [Fast.Core.Transactions.AccountMeta.Writable(a, true), Fast.Core.Transactions.AccountMeta.ReadOnly(b)], SystemInstruction.TransferData(1));
                default:
                    ulong lamports = random.Next(6) == 0 ? (ulong)random.Next(1_000_000, 10_000_000) : (ulong)random.Next(0, 20_000);
                    return SystemInstruction.Transfer(a, b, lamports);
            }
        }
    }
}
