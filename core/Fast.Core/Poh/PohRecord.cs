using Fast.Core.Primitives;

namespace Fast.Core.Poh;

/// <summary>
/// What the banking stage hands the PoH generator for one entry: the slot of the bank that executed
/// the transactions, their mixin (the Merkle root of their signatures,
/// <see cref="Ledger.EntryHashing.TransactionsHash"/>), how many there are, and their wire bytes,
/// concatenated. <see cref="Transactions"/> usually points into a pooled buffer the banking stage
/// rented: the generator never copies or reads it, it only passes the reference on in the
/// <see cref="PohEntry"/> it emits (or in the rejection), and whoever consumes that (the broadcaster
/// after serialising the entry, or the banking stage on a rejection) returns the buffer.
/// <see cref="Id"/> is the producer's own correlation number, echoed back in both cases.
/// A plain struct: passing it through a <see cref="Collections.BoundedQueue{T}"/> allocates nothing.
/// </summary>
public readonly record struct PohRecord(ulong Slot, Hash Mixin, int TransactionCount, ReadOnlyMemory<byte> Transactions, long Id);
