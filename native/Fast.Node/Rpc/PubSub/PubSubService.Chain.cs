using System.Text.Json;
using Fast.Core.Primitives;

namespace Fast.Node.Rpc.PubSub;

/// <summary>
/// What each chain event notifies. A frozen slot: slotNotification, then processed signatures and
/// accounts. The confirmed tip moving: confirmed signatures and accounts, and the transactions of
/// every slot it passed (logs, program accounts at processed and confirmed — this node reads a
/// slot's transactions from the Blockstore, where they are whole once the slot is durable, which on
/// one node is when it confirms — and confirmed blocks). A root: rootNotification, finalized
/// signatures and accounts, and the transactions and blocks of every slot it passed.
/// </summary>
public sealed partial class PubSubService
{
    private ulong _frozenSlot;
    private ulong _confirmedSlot;
    private ulong _rootSlot;

    private void Handle(in ChainEvent e)
    {
        switch (e.Kind)
        {
            case ChainEventKind.Frozen:
                _frozenSlot = Math.Max(_frozenSlot, e.Slot);
                NotifySlot(e.Slot, e.Parent);
                NotifySignatures();
                NotifyAccounts(Commitment.Processed);
                break;
            case ChainEventKind.Confirmed:
                if (e.Slot <= _confirmedSlot) break;
                NotifySignatures();
                NotifyAccounts(Commitment.Confirmed);
                NotifySlots(_confirmedSlot, e.Slot, Commitment.Confirmed);
                _confirmedSlot = e.Slot;
                break;
            case ChainEventKind.Rooted:
                if (e.Slot <= _rootSlot) break;
                NotifyRoot(e.Slot);
                NotifySignatures();
                NotifyAccounts(Commitment.Finalized);
                NotifySlots(_rootSlot, e.Slot, Commitment.Finalized);
                _rootSlot = e.Slot;
                break;
        }
        Interlocked.Increment(ref Counters.EventsHandled);
    }

    /// <summary>slotNotification: <c>{"parent", "root", "slot"}</c>.</summary>
    private void NotifySlot(ulong slot, ulong parent)
    {
        Dictionary<ulong, Subscription> subscriptions = _byKind[(int)SubscriptionKind.Slot];
        if (subscriptions.Count == 0) return;
        ulong root = _backend.Slot(Commitment.Finalized);
        byte[] notification = Build("slotNotification", w =>
        {
            w.WriteStartObject();
            w.WriteNumber("parent", parent);
            w.WriteNumber("root", root);
            w.WriteNumber("slot", slot);
            w.WriteEndObject();
        });
        foreach (Subscription s in subscriptions.Values) Send(s, notification);
    }

    /// <summary>rootNotification: the root slot.</summary>
    private void NotifyRoot(ulong slot)
    {
        Dictionary<ulong, Subscription> subscriptions = _byKind[(int)SubscriptionKind.Root];
        if (subscriptions.Count == 0) return;
        byte[] notification = Build("rootNotification", w => w.WriteNumberValue(slot));
        foreach (Subscription s in subscriptions.Values) Send(s, notification);
    }

    private readonly List<Subscription> _reached = [];

    /// <summary>
    /// Every waiting signature is looked up (a hash probe each); those at their commitment are
    /// notified and end. Checking all at each event, not only the event's slot, means a dropped event
    /// delays a notification to the next one instead of losing it.
    /// </summary>
    private void NotifySignatures()
    {
        Dictionary<ulong, Subscription> subscriptions = _byKind[(int)SubscriptionKind.Signature];
        if (subscriptions.Count == 0) return;
        _reached.Clear();
        foreach (Subscription s in subscriptions.Values)
        {
            if (Reached(s.Spec, out _)) _reached.Add(s);
            else NotifyReceived(s);
        }
        foreach (Subscription s in _reached) _ = NotifySignatureIfReached(s);
    }

    /// <summary>
    /// enableReceivedNotification: <c>{"context": {"slot"}, "value": "receivedSignature"}</c> once, when the node
    /// has the transaction but it has not reached the subscription's commitment (the subscription goes on).
    /// </summary>
    private void NotifyReceived(Subscription subscription)
    {
        if (!subscription.Spec.EnableReceived || subscription.ReceivedSent) return;
        SignatureStatus? status = _backend.Status(subscription.Spec.Signature, searchHistory: false);
        if (status is null) return;
        subscription.ReceivedSent = true;
        Send(subscription, Build("signatureNotification", w =>
        {
            w.WriteStartObject();
            WriteContext(w, status.Slot);
            w.WriteString("value", "receivedSignature");
            w.WriteEndObject();
        }));
    }

    private bool Reached(SubscriptionSpec spec, out SignatureStatus? status)
    {
        status = _backend.Status(spec.Signature, searchHistory: false);
        if (status is null || status.Level < spec.Commitment) return false;
        // Processed means the slot froze here (the working bank's transactions are not yet processed for clients).
        return status.Level != Commitment.Processed || status.Slot <= _frozenSlot;
    }

    /// <summary>signatureNotification: <c>{"context": {"slot"}, "value": {"err"}}</c>, then the subscription ends (Solana's rule).</summary>
    private bool NotifySignatureIfReached(Subscription subscription)
    {
        if (!Reached(subscription.Spec, out SignatureStatus? status)) return false;
        byte[] notification = Build("signatureNotification", w =>
        {
            w.WriteStartObject();
            WriteContext(w, status!.Slot);
            w.WritePropertyName("value");
            w.WriteStartObject();
            w.WritePropertyName("err");
            TransactionErrorJson.WriteErr(w, status.Outcome);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        Send(subscription, notification);
        RemoveSubscription(subscription.Id, fromConnection: true);
        return true;
    }

    private readonly Dictionary<Pubkey, int> _accountIndex = [];
    private readonly List<Pubkey> _accountKeys = [];
    private readonly Dictionary<(Pubkey, string), byte[]> _built = [];

    /// <summary>
    /// accountNotification for every account subscription at <paramref name="commitment"/> whose
    /// account differs from what it was last told: the subscribed accounts are read as one snapshot
    /// at that commitment and compared by fingerprint; one notification per (account, encoding).
    /// </summary>
    private void NotifyAccounts(Commitment commitment)
    {
        Dictionary<ulong, Subscription> subscriptions = _byKind[(int)SubscriptionKind.Account];
        if (subscriptions.Count == 0) return;
        _accountIndex.Clear();
        _accountKeys.Clear();
        foreach (Subscription s in subscriptions.Values)
        {
            if (s.Spec.Commitment == commitment && _accountIndex.TryAdd(s.Spec.Key, _accountKeys.Count)) _accountKeys.Add(s.Spec.Key);
        }
        if (_accountKeys.Count == 0) return;
        IReadOnlyList<AccountSnapshot?> accounts = _backend.Accounts(_accountKeys, commitment, out ulong slot);
        _built.Clear();
        foreach (Subscription s in subscriptions.Values)
        {
            if (s.Spec.Commitment != commitment) continue;
            AccountSnapshot? account = accounts[_accountIndex[s.Spec.Key]];
            Hash fingerprint = AccountNotification.Fingerprint(account);
            if (fingerprint == s.Fingerprint) continue;
            s.Fingerprint = fingerprint;
            if (!_built.TryGetValue((s.Spec.Key, s.Spec.Encoding), out byte[]? notification))
            {
                string encoding = s.Spec.Encoding;
                notification = Build("accountNotification", w =>
                {
                    w.WriteStartObject();
                    WriteContext(w, slot);
                    w.WritePropertyName("value");
                    AccountNotification.WriteAccount(w, account, encoding);
                    w.WriteEndObject();
                });
                _built[(s.Spec.Key, s.Spec.Encoding)] = notification;
            }
            Send(s, notification);
        }
    }

    private static void WriteContext(Utf8JsonWriter w, ulong slot)
    {
        w.WriteStartObject("context");
        w.WriteNumber("slot", slot);
        w.WriteEndObject();
    }
}
