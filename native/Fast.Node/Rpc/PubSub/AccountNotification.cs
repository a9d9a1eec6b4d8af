using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Node.Rpc.PubSub;

/// <summary>
/// An account in accountNotification and programNotification: Solana's UiAccount
/// (<c>{lamports, owner, data: [text, encoding], executable, rentEpoch, space}</c>); a missing
/// account reads as Solana shows a closed one (0 lamports, owned by the system program, no data).
/// The fingerprint tells accountSubscribe whether an account changed since it was last notified.
/// </summary>
public static class AccountNotification
{
    private static readonly string SystemProgram = Exec.Programs.SystemProgram.Id.ToString();

    /// <summary>SHA-256 of lamports ‖ owner ‖ executable ‖ data (all zero for a missing account).</summary>
    public static Hash Fingerprint(AccountSnapshot? account)
    {
        if (account is null) return default;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> head = stackalloc byte[8 + Pubkey.Size + 1];
        BinaryPrimitives.WriteUInt64LittleEndian(head, account.Lamports);
        account.Owner.CopyTo(head[8..]);
        head[^1] = account.Executable ? (byte)1 : (byte)0;
        sha.AppendData(head);
        sha.AppendData(account.Data);
        Span<byte> digest = stackalloc byte[32];
        sha.GetHashAndReset(digest);
        return new Hash(digest);
    }

    /// <summary>Writes the account value with its data in <paramref name="encoding"/> (base64 or base58).</summary>
    public static void WriteAccount(Utf8JsonWriter w, AccountSnapshot? account, string encoding)
    {
        byte[] data = account?.Data ?? [];
        w.WriteStartObject();
        w.WriteNumber("lamports", account?.Lamports ?? 0);
        w.WriteString("owner", account?.Owner.ToString() ?? SystemProgram);
        w.WriteStartArray("data");
        // Base58 is quadratic: like getAccountInfo, only for short data; longer data goes as base64.
        if (encoding == "base58" && data.Length <= 128)
        {
            w.WriteStringValue(Base58.Encode(data));
            w.WriteStringValue("base58");
        }
        else
        {
            w.WriteBase64StringValue(data);
            w.WriteStringValue("base64");
        }
        w.WriteEndArray();
        w.WriteBoolean("executable", account?.Executable ?? false);
        w.WriteNumber("rentEpoch", 0);
        w.WriteNumber("space", data.Length);
        w.WriteEndObject();
    }
}
