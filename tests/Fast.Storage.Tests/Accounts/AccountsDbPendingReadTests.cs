using Fast.Core.Primitives;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

/// <summary>Reads left pending on FASTER's disk path and collected later by ticket (AccountsDb.PendingReads.cs).</summary>
public class AccountsDbPendingReadTests
{
    [Fact]
    public void Ticketed_reads_of_evicted_accounts_complete_at_their_tickets_with_the_stored_values()
    {
        using TempDir dir = new();
        // 4 MiB of log memory, ~20 MiB of records: most are only on disk when read.
        using var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path));
        const int Count = 20_000;
        byte[] data = new byte[1000];
        for (int i = 0; i < Count; i++)
        {
            data[0] = (byte)i;
            db.Write(AccountsDbTests.Key(i), (ulong)i + 1, Pubkey.Zero, false, data);
        }
        // Every 7th account, in a scrambled order, plus one never written: ticket t reads keys[t].
        List<int> ids = [.. Enumerable.Range(0, Count / 7).Select(i => i * 7).OrderBy(i => (i * 7919) % 1009)];
        ids.Add(Count + 5);
        var accounts = new Account[ids.Count];
        int pending = 0;
        long before = db.DiskReadsStarted;
        for (int t = 0; t < ids.Count; t++)
        {
            if (db.TryReadWithoutWaiting(AccountsDbTests.Key(ids[t]), ticket: t, out Account account)) accounts[t] = account;
            else pending++;
        }

        int completed = db.CompletePendingReadsByTicket(accounts);

        Assert.True(pending > ids.Count / 2, $"only {pending} of {ids.Count} reads went to the disk");
        Assert.Equal(pending, completed);
        Assert.Equal(pending, db.DiskReadsStarted - before);
        for (int t = 0; t < ids.Count - 1; t++)
        {
            Assert.Equal((ulong)ids[t] + 1, accounts[t].Lamports);
            Assert.Equal((byte)ids[t], accounts[t].Data[0]);
        }
        Assert.Equal(0UL, accounts[^1].Lamports);
    }

    [Fact]
    public void A_ticket_outside_the_span_is_refused_after_every_read_completed()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path));
        byte[] data = new byte[1000];
        for (int i = 0; i < 20_000; i++) db.Write(AccountsDbTests.Key(i), 1, Pubkey.Zero, false, data);
        int ticket = 0;
        while (db.TryReadWithoutWaiting(AccountsDbTests.Key(ticket), ticket: 5, out _)) ticket++; // the first that goes to the disk

        Assert.Throws<ArgumentException>(() => db.CompletePendingReadsByTicket(new Account[2]));
        Assert.Equal(0, db.CompletePendingReadsByTicket(new Account[2])); // nothing was left pending
    }
}
