using FASTER.core;

namespace Fast.Storage.Blocks;

/// <summary>
/// Making the Blockstore's appends durable: a FasterLog commit writes the log pages, then a commit
/// record (<see cref="BlockstoreCommitRecords"/>: whole or not at all, the previous one kept until the
/// new one is on disk). A commit that fails — disk full, failing device — is an error, and so is every
/// later one; the disk then holds the last durable commit, which the next open recovers.
/// </summary>
public sealed partial class Blockstore
{
    private readonly BlockstoreCommitRecords _commitRecords;

    /// <summary>
    /// Makes everything appended so far durable; returns when the commit is on disk (its log pages and
    /// its commit record). A failed write (disk full, failing device) is a <see cref="StorageException"/>
    /// naming the folder and the error — never a wait forever (FasterLog's spin-waiting commit never
    /// returns after one) — and so is every later commit; the disk keeps the last durable commit.
    /// </summary>
    public void Commit()
    {
        ThrowIfDisposed();
        try
        {
            _log.CommitAsync(_commitRecords.FailedToken).AsTask().GetAwaiter().GetResult();
        }
        catch (CommitFailureException e)
        {
            throw new StorageException($"{Options.Directory}: the Blockstore could not write its log ({e.Message}; the device is full or failing)", e);
        }
        catch (OperationCanceledException e) when (_commitRecords.Failure is string failure)
        {
            throw new StorageException($"{Options.Directory}: the Blockstore could not write its commit record ({failure}; the device is full or failing)", e);
        }
    }
}
