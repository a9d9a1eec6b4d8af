using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;

namespace Fast.Exec.Workloads;

/// <summary>
/// Deterministic transfer traffic for benchmarks, soak tests and load generators: a set of funded
/// accounts, and blocks of one-transfer transactions that either never conflict (disjoint sender →
/// recipient pairs) or send a chosen fraction to a few hot accounts. Signatures are not real
/// (execution does not check them): <see cref="TransferBlock.Refresh"/> stamps unique bytes so a
/// block can be executed again in a later slot.
/// </summary>
public sealed class TransferWorkload
{
    public TransferWorkload(int accounts, int hotAccounts = 4, int seed = 1)
    {
        if (accounts < 2) ThrowHelper.ThrowArgument(nameof(accounts), "at least two accounts");
        Seed = seed;
        HotKeys = new Pubkey[hotAccounts];
        for (int i = 0; i < hotAccounts; i++) HotKeys[i] = KeyFor(seed, -1 - i);
        Keys = new Pubkey[accounts];
        for (int i = 0; i < accounts; i++) Keys[i] = KeyFor(seed, i);
    }

    public int Seed { get; }

    /// <summary>The accounts that send and receive in conflict-free pairs.</summary>
    public Pubkey[] Keys { get; }

    /// <summary>The few accounts that hot transfers pay.</summary>
    public Pubkey[] HotKeys { get; }

    /// <summary>Genesis funding every account with <paramref name="lamports"/>.</summary>
    public GenesisConfig Genesis(ulong lamports, Hash genesisHash, Pubkey leader = default)
    {
        List<(Pubkey, Account)> accounts = new(Keys.Length + HotKeys.Length);
        foreach (Pubkey key in Keys) accounts.Add((key, new Account(lamports, Pubkey.Zero, false, null)));
        foreach (Pubkey key in HotKeys) accounts.Add((key, new Account(lamports, Pubkey.Zero, false, null)));
        return new GenesisConfig(genesisHash, accounts) { Leader = leader };
    }

    /// <summary>
    /// A block of <paramref name="count"/> transfers of 1 lamport (at most <c>Keys.Length / 2</c>): senders
    /// and recipients drawn from a random permutation so no two transactions share an account, except
    /// that a <paramref name="hotFraction"/> of them pay one of the <see cref="HotKeys"/> instead.
    /// </summary>
    public TransferBlock CreateBlock(int count, double hotFraction, Random random)
    {
        if (count > Keys.Length / 2) ThrowHelper.ThrowArgument(nameof(count), $"at most {Keys.Length / 2} conflict-free transfers over {Keys.Length} accounts");
        int[] order = new int[Keys.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        random.Shuffle(order);
        byte[] buffer = new byte[count * SystemTransaction.TransferLength];
        var transactions = new VerifiedTransaction[count];
        for (int i = 0; i < count; i++)
        {
            Pubkey from = Keys[order[2 * i]];
            Pubkey to = HotKeys.Length > 0 && random.NextDouble() < hotFraction ? HotKeys[random.Next(HotKeys.Length)] : Keys[order[2 * i + 1]];
            int offset = i * SystemTransaction.TransferLength;
            SystemTransaction.WriteTransferUnsigned(buffer.AsSpan(offset), from, to, 1, default);
            transactions[i] = new VerifiedTransaction(buffer, offset, SystemTransaction.TransferLayout);
        }
        return new TransferBlock(buffer, transactions);
    }

    /// <summary>
    /// A block of <paramref name="count"/> conflict-free transfers of 1 lamport whose senders and recipients
    /// are drawn uniformly from all <see cref="Keys"/> (distinct within the block) without building a
    /// permutation of them: for large account sets (cold-state benchmarks) where a block touches a small
    /// random share of the accounts.
    /// </summary>
    public TransferBlock CreateUniformBlock(int count, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (count > Keys.Length / 4) ThrowHelper.ThrowArgument(nameof(count), $"at most {Keys.Length / 4} uniformly drawn transfers over {Keys.Length} accounts");
        var taken = new System.Collections.BitArray(Keys.Length);
        byte[] buffer = new byte[count * SystemTransaction.TransferLength];
        var transactions = new VerifiedTransaction[count];
        for (int i = 0; i < count; i++)
        {
            Pubkey from = Keys[Draw(taken, random)];
            Pubkey to = Keys[Draw(taken, random)];
            int offset = i * SystemTransaction.TransferLength;
            SystemTransaction.WriteTransferUnsigned(buffer.AsSpan(offset), from, to, 1, default);
            transactions[i] = new VerifiedTransaction(buffer, offset, SystemTransaction.TransferLayout);
        }
        return new TransferBlock(buffer, transactions);
    }

    /// <summary>An index not yet taken (rejection sampling: a block takes at most half of the keys, so a draw needs two tries at worst on average).</summary>
    private int Draw(System.Collections.BitArray taken, Random random)
    {
        while (true)
        {
            int index = random.Next(Keys.Length);
            if (taken[index]) continue;
            taken[index] = true;
            return index;
        }
    }

    private static Pubkey KeyFor(int seed, int index)
    {
        Span<byte> seedBytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(seedBytes, seed);
        BinaryPrimitives.WriteInt64LittleEndian(seedBytes[8..], index);
        return new Pubkey(Hash.Compute(seedBytes).Span);
    }
}

/// <summary>A block of transfers in one buffer, reusable across slots with <see cref="Refresh"/>.</summary>
public sealed class TransferBlock(byte[] buffer, VerifiedTransaction[] transactions)
{
    public byte[] Buffer { get; } = buffer;

    public VerifiedTransaction[] Transactions { get; } = transactions;

    public int Count => Transactions.Length;

    /// <summary>
    /// Points every transfer at <paramref name="blockhash"/> and stamps signature bytes unique to
    /// (<paramref name="nonce"/>, index), so the block is new to the status cache. Allocates nothing.
    /// </summary>
    public void Refresh(in Hash blockhash, ulong nonce)
    {
        for (int i = 0; i < Transactions.Length; i++)
        {
            Span<byte> tx = Buffer.AsSpan(i * SystemTransaction.TransferLength, SystemTransaction.TransferLength);
            SystemTransaction.SetBlockhash(tx, blockhash);
            Span<byte> signature = tx.Slice(1, Signature.Size);
            BinaryPrimitives.WriteUInt64LittleEndian(signature, nonce);
            BinaryPrimitives.WriteInt32LittleEndian(signature[8..], i);
            BinaryPrimitives.WriteUInt64LittleEndian(signature[12..], nonce * 0x9E3779B97F4A7C15UL ^ (ulong)i);
        }
    }
}
