using Fast.Core.Codec;
using Fast.Storage.Blocks;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Blocks;

/// <summary>Transaction statuses stored beside a slot's entries: codec, append, reopen.</summary>
public class BlockstoreStatusTests
{
    private static byte[] Statuses(int count, int accounts, ulong seed)
    {
        byte[] bytes = new byte[count * TransactionStatusCodec.MaxSize];
        int length = 0;
        for (int i = 0; i < count; i++)
        {
            if (i % 5 == 4)
            {
                length += TransactionStatusCodec.Write(bytes.AsSpan(length), 5, 0, 0, [], []); // not committed: no balances
                continue;
            }
            ulong[] pre = [.. Enumerable.Range(0, accounts).Select(a => seed + (ulong)(i * 100 + a))];
            ulong[] post = [.. pre.Select(b => b + 1)];
            byte error = (byte)(i % 3 == 0 ? 7 : 0);
            length += TransactionStatusCodec.Write(bytes.AsSpan(length), error, (byte)(error == 0 ? 0 : 1), 5000, pre, post);
        }
        return bytes[..length];
    }

    [Fact]
    public void Statuses_appended_beside_a_slot_read_back_whole_after_a_reopen()
    {
        using TempDir dir = new();
        byte[] first = Statuses(40, 3, 1_000), second = Statuses(25, 64, 9_000);
        using (var store = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path)))
        {
            // Statuses may arrive before the slot's entries (the banking thread freezes while the ledger writer appends).
            Assert.Equal(AppendStatus.Ok, store.AppendStatuses(7, 6, 40, first, last: false));
            Assert.Null(store.ReadSlotStatuses(7));
            Assert.Equal(AppendStatus.Ok, store.AppendEntries(7, 6, 1, [1, 2, 3], slotComplete: true));
            Assert.Equal(AppendStatus.Ok, store.AppendStatuses(7, 6, 25, second, last: true));
            Assert.Equal(AppendStatus.Ok, store.AppendStatuses(8, 7, 0, [], last: true));
            Assert.Equal(AppendStatus.SlotAlreadyComplete, store.AppendStatuses(7, 6, 25, second, last: true));
            Assert.Equal([.. first, .. second], store.ReadSlotStatuses(7)!);
            store.Commit();
        }
        using var reopened = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path));
        Assert.Equal(0, reopened.SkippedRecords);
        Assert.True(reopened.TryGetSlotMeta(7, out SlotMeta meta));
        Assert.True(meta.HasStatuses);
        Assert.True(meta.IsComplete);
        byte[] statuses = reopened.ReadSlotStatuses(7)!;
        Assert.Equal([.. first, .. second], statuses);
        Assert.Equal(65, TransactionStatusCodec.Count(statuses));
        Assert.True(TransactionStatusCodec.TryReadAt(statuses, 41, out StoredTransactionStatus status).IsOk);
        Assert.Equal(64, status.AccountCount);
        Assert.Equal(9_000UL + 100, status.PreBalance(0));
        Assert.Equal(9_000UL + 100 + 63 + 1, status.PostBalance(63));
        Assert.Equal([], reopened.ReadSlotStatuses(8)!);
    }

    [Fact]
    public void A_slot_whose_last_status_record_never_arrived_has_no_statuses_after_a_reopen()
    {
        using TempDir dir = new();
        using (var store = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path)))
        {
            Assert.Equal(AppendStatus.Ok, store.AppendEntries(3, 2, 1, [9], slotComplete: true));
            Assert.Equal(AppendStatus.Ok, store.AppendStatuses(3, 2, 10, Statuses(10, 2, 0), last: false));
            store.Commit();
        }
        using var reopened = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path));
        Assert.True(reopened.TryGetSlotMeta(3, out SlotMeta meta));
        Assert.False(meta.HasStatuses);
        Assert.Null(reopened.ReadSlotStatuses(3));
    }

    [Fact]
    public void Statuses_that_do_not_decode_or_do_not_match_their_count_are_refused()
    {
        using TempDir dir = new();
        using var store = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path));
        byte[] statuses = Statuses(4, 2, 0);
        Assert.Equal(AppendStatus.Malformed, store.AppendStatuses(3, 2, 5, statuses, last: true));
        Assert.Equal(AppendStatus.Malformed, store.AppendStatuses(3, 2, 4, statuses[..^1], last: true));
        Assert.Equal(AppendStatus.Empty, store.AppendStatuses(3, 2, 0, [], last: false));
        Assert.Equal(AppendStatus.ParentMismatch, Append(store));
        Assert.Null(store.ReadSlotStatuses(3));

        static AppendStatus Append(Blockstore store)
        {
            store.AppendEntries(3, 1, 1, [1], slotComplete: false);
            return store.AppendStatuses(3, 2, 4, Statuses(4, 2, 0), last: true);
        }
    }

    [Fact]
    public void The_status_codec_accepts_only_canonical_statuses()
    {
        byte[] ok = new byte[TransactionStatusCodec.MaxSize];
        int length = TransactionStatusCodec.Write(ok, 0, 0, 5000, [10, 20], [5, 25]);
        Assert.Equal(TransactionStatusCodec.Size(2), length);
        Assert.True(TransactionStatusCodec.TryRead(ok.AsSpan(0, length), out StoredTransactionStatus status).IsOk);
        Assert.Equal([10UL, 20UL], status.PreBalances());
        Assert.Equal([5UL, 25UL], status.PostBalances());

        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, length - 1), TransactionStatusCodec.TryRead(ok.AsSpan(0, length - 1), out _));
        byte[] okWithInstruction = ok[..length];
        okWithInstruction[1] = 3; // an ok status names no failed instruction
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 1), TransactionStatusCodec.TryRead(okWithInstruction, out _));
        byte[] notCommittedWithFee = new byte[TransactionStatusCodec.FixedSize];
        notCommittedWithFee[0] = 5;
        notCommittedWithFee[2] = 1; // a transaction without balances (not committed) paid nothing
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 2), TransactionStatusCodec.TryRead(notCommittedWithFee, out _));
        byte[] tooMany = ok[..length];
        tooMany[10] = 65;
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 10), TransactionStatusCodec.TryRead(tooMany, out _));
        Assert.Equal(-1, TransactionStatusCodec.Count([.. ok[..length], 0]));
    }
}
