using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Node.Rpc.PubSub;

/// <summary>
/// The notifications made from a slot's transactions, read once per slot and commitment from the
/// Blockstore (<see cref="IRpcBackend.Block"/>): logsNotification per transaction, programNotification
/// per written account owned by a subscribed program, blockNotification per block (getBlock's shape,
/// once per distinct block config).
/// </summary>
public sealed partial class PubSubService
{
    private readonly HashSet<Pubkey> _written = [];
    private readonly List<Pubkey> _writtenKeys = [];
    private readonly ArrayBufferWriter<byte> _blockJson = new(64 * 1024);

    /// <summary>Whether a logs or program subscription at <paramref name="level"/> is served by the pass for <paramref name="pass"/>.</summary>
    private static bool ServedBy(Commitment level, Commitment pass) => pass == Commitment.Finalized ? level == Commitment.Finalized : level != Commitment.Finalized;

    private bool AnyServedBy(SubscriptionKind kind, Commitment pass)
    {
        foreach (Subscription s in _byKind[(int)kind].Values)
        {
            if (kind == SubscriptionKind.Block ? s.Spec.Commitment == pass : ServedBy(s.Spec.Commitment, pass)) return true;
        }
        return false;
    }

    /// <summary>The slots in (<paramref name="after"/>, <paramref name="upTo"/>] reached <paramref name="pass"/> (confirmed or finalized).</summary>
    private void NotifySlots(ulong after, ulong upTo, Commitment pass)
    {
        bool logs = AnyServedBy(SubscriptionKind.Logs, pass);
        bool programs = AnyServedBy(SubscriptionKind.Program, pass);
        bool blocks = AnyServedBy(SubscriptionKind.Block, pass);
        if (!logs && !programs && !blocks) return;
        ulong first = after + 1;
        if (upTo - after > (ulong)_limits.MaxSlotsPerEvent)
        {
            first = upTo - (ulong)_limits.MaxSlotsPerEvent + 1;
            Interlocked.Add(ref Counters.SlotsSkipped, (long)(first - after - 1));
        }
        for (ulong slot = first; slot <= upTo; slot++)
        {
            BlockRecord? block = _backend.Block(slot, pass);
            if (block is null) continue; // skipped or dead: no block
            if (logs) NotifyLogs(block, pass);
            if (programs) NotifyPrograms(block, pass);
            if (blocks) NotifyBlock(block, pass);
        }
    }

    /// <summary>logsNotification: <c>{"context", "value": {"signature", "err", "logs"}}</c> per transaction a subscription's filter takes.</summary>
    private void NotifyLogs(BlockRecord block, Commitment pass)
    {
        Dictionary<ulong, Subscription> subscriptions = _byKind[(int)SubscriptionKind.Logs];
        foreach (TransactionRecord record in block.Transactions)
        {
            if (!TransactionView.TryParse(record.Bytes, out TransactionView tx).IsOk) continue;
            byte[]? notification = null;
            foreach (Subscription s in subscriptions.Values)
            {
                if (!ServedBy(s.Spec.Commitment, pass)) continue;
                if (s.Spec.Logs == LogsFilter.Mentions && !Mentions(tx, s.Spec.Key)) continue;
                if (notification is null)
                {
                    _scratch.Clear();
                    using (Utf8JsonWriter w = new(_scratch))
                    {
                        w.WriteStartObject();
                        WriteContext(w, block.Slot);
                        w.WriteStartObject("value");
                        w.WriteString("signature", tx.FirstSignature.ToString());
                        w.WritePropertyName("err");
                        TransactionErrorJson.WriteErr(w, record.Outcome);
                        w.WriteStartArray("logs");
                        TransactionJson.WriteLogMessages(w, tx, record.Outcome);
                        w.WriteEndArray();
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                    notification = Outbound.NotificationBytes("logsNotification", _scratch.WrittenSpan);
                }
                Send(s, notification);
            }
        }
    }

    private static bool Mentions(TransactionView tx, in Pubkey key)
    {
        for (int i = 0; i < tx.AccountKeyCount; i++)
        {
            if (tx.GetAccountKeyBytes(i).SequenceEqual(key.Span)) return true;
        }
        return false;
    }

    /// <summary>
    /// programNotification: <c>{"context", "value": {"pubkey", "account"}}</c> for every account the
    /// block's transactions could write whose owner is a subscribed program (and that passes the
    /// subscription's filters), read at the subscription's commitment.
    /// </summary>
    private void NotifyPrograms(BlockRecord block, Commitment pass)
    {
        _written.Clear();
        _writtenKeys.Clear();
        foreach (TransactionRecord record in block.Transactions)
        {
            if (!TransactionView.TryParse(record.Bytes, out TransactionView tx).IsOk) continue;
            for (int i = 0; i < tx.AccountKeyCount; i++)
            {
                if (tx.IsWritable(i) && _written.Add(tx.GetAccountKey(i))) _writtenKeys.Add(tx.GetAccountKey(i));
            }
        }
        if (_writtenKeys.Count == 0) return;
        Dictionary<ulong, Subscription> subscriptions = _byKind[(int)SubscriptionKind.Program];
        foreach (Commitment level in pass == Commitment.Finalized ? FinalizedOnly : ProcessedAndConfirmed)
        {
            bool any = false;
            foreach (Subscription s in subscriptions.Values) any |= s.Spec.Commitment == level;
            if (!any) continue;
            IReadOnlyList<AccountSnapshot?> accounts = _backend.Accounts(_writtenKeys, level, out ulong slot);
            _built.Clear();
            for (int i = 0; i < accounts.Count; i++)
            {
                if (accounts[i] is not AccountSnapshot account) continue;
                Pubkey key = _writtenKeys[i];
                foreach (Subscription s in subscriptions.Values)
                {
                    if (s.Spec.Commitment != level || s.Spec.Key != account.Owner || !PassesFilters(s.Spec, account)) continue;
                    if (!_built.TryGetValue((key, s.Spec.Encoding), out byte[]? notification))
                    {
                        string encoding = s.Spec.Encoding;
                        notification = Build("programNotification", w =>
                        {
                            w.WriteStartObject();
                            WriteContext(w, slot);
                            w.WriteStartObject("value");
                            w.WriteString("pubkey", key.ToString());
                            w.WritePropertyName("account");
                            AccountNotification.WriteAccount(w, account, encoding);
                            w.WriteEndObject();
                            w.WriteEndObject();
                        });
                        _built[(key, s.Spec.Encoding)] = notification;
                    }
                    Send(s, notification);
                }
            }
        }
    }

    private static readonly Commitment[] FinalizedOnly = [Commitment.Finalized];
    private static readonly Commitment[] ProcessedAndConfirmed = [Commitment.Processed, Commitment.Confirmed];

    private static bool PassesFilters(SubscriptionSpec spec, AccountSnapshot account)
    {
        foreach (AccountFilter filter in spec.Filters)
        {
            if (!filter.Matches(account)) return false;
        }
        return true;
    }

    private readonly Dictionary<string, byte[]?> _blocksBuilt = new(StringComparer.Ordinal);

    /// <summary>blockNotification: <c>{"context", "value": {"slot", "block", "err": null}}</c>, the block written by getBlock with the subscription's config.</summary>
    private void NotifyBlock(BlockRecord block, Commitment pass)
    {
        _blocksBuilt.Clear();
        foreach (Subscription s in _byKind[(int)SubscriptionKind.Block].Values)
        {
            if (s.Spec.Commitment != pass) continue;
            if (s.Spec.BlockMentions && !BlockMentions(block, s.Spec.Key)) continue;
            if (!_blocksBuilt.TryGetValue(s.Spec.BlockConfig, out byte[]? notification))
            {
                notification = BuildBlock(block.Slot, s.Spec.BlockConfig);
                _blocksBuilt[s.Spec.BlockConfig] = notification;
            }
            if (notification is not null) Send(s, notification);
        }
    }

    private static bool BlockMentions(BlockRecord block, in Pubkey key)
    {
        foreach (TransactionRecord record in block.Transactions)
        {
            if (TransactionView.TryParse(record.Bytes, out TransactionView tx).IsOk && Mentions(tx, key)) return true;
        }
        return false;
    }

    /// <summary>The notification for <paramref name="slot"/>'s block with <paramref name="config"/>, or null when getBlock refuses it (counted).</summary>
    private byte[]? BuildBlock(ulong slot, string config)
    {
        if (!_methods.TryGet("getBlock", out RpcMethods.Handler? getBlock)) return null;
        using var parameters = JsonDocument.Parse($"[{slot.ToString(CultureInfo.InvariantCulture)},{config}]");
        _blockJson.Clear();
        RpcError? error;
        using (Utf8JsonWriter w = new(_blockJson)) error = getBlock(new RpcParams(parameters.RootElement), w);
        if (error is not null)
        {
            Interlocked.Increment(ref Counters.SlotsSkipped);
            return null;
        }
        _scratch.Clear();
        using (Utf8JsonWriter w = new(_scratch))
        {
            w.WriteStartObject();
            WriteContext(w, slot);
            w.WriteStartObject("value");
            w.WriteNumber("slot", slot);
            w.WritePropertyName("block");
            w.WriteRawValue(_blockJson.WrittenSpan, skipInputValidation: true);
            w.WriteNull("err");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Outbound.NotificationBytes("blockNotification", _scratch.WrittenSpan);
    }
}
