using System.Buffers.Binary;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;

namespace Fast.Node.Rpc;

/// <summary>
/// The <c>jsonParsed</c> encoding (Solana's UiParsedMessage): annotated account keys, and each
/// instruction either parsed — the system program's, as Solana's parse_system writes them:
/// <c>{"program":"system","programId":...,"parsed":{"type":"transfer","info":{"source","destination","lamports"}}}</c>
/// — or, for any other program or data that is not a valid system instruction, partially decoded:
/// <c>{"programId", "accounts":[keys], "data": base58}</c>.
/// </summary>
public static partial class TransactionJson
{
    private static void WriteParsedTransaction(Utf8JsonWriter w, TransactionView tx)
    {
        w.WriteStartObject();
        WriteSignatures(w, tx);
        w.WriteStartObject("message");
        WriteAnnotatedKeys(w, tx);
        w.WriteString("recentBlockhash", tx.RecentBlockhash.ToString());
        w.WriteStartArray("instructions");
        foreach (InstructionView ix in tx.Instructions)
        {
            Pubkey program = tx.GetAccountKey(ix.ProgramIdIndex);
            if (program == SystemProgram.Id && TryWriteSystemInstruction(w, tx, ix)) continue;
            w.WriteStartObject();
            w.WriteStartArray("accounts");
            foreach (byte a in ix.AccountIndexes) w.WriteStringValue(tx.GetAccountKey(a).ToString());
            w.WriteEndArray();
            w.WriteString("data", Base58.Encode(ix.Data));
            w.WriteString("programId", program.ToString());
            w.WriteNull("stackHeight");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A system instruction in Solana's parsed shape; false (nothing written) when the data or accounts do not make one.</summary>
    private static bool TryWriteSystemInstruction(Utf8JsonWriter w, TransactionView tx, InstructionView ix)
    {
        ReadOnlySpan<byte> data = ix.Data;
        ReadOnlySpan<byte> accounts = ix.AccountIndexes;
        if (data.Length < 4) return false;
        var kind = (SystemInstructionKind)BinaryPrimitives.ReadUInt32LittleEndian(data);
        (int dataLength, int accountCount, string type) = kind switch
        {
            SystemInstructionKind.CreateAccount => (SystemInstruction.CreateAccountDataLength, 2, "createAccount"),
            SystemInstructionKind.Assign => (SystemInstruction.AssignDataLength, 1, "assign"),
            SystemInstructionKind.Transfer => (SystemInstruction.TransferDataLength, 2, "transfer"),
            SystemInstructionKind.Allocate => (SystemInstruction.AllocateDataLength, 1, "allocate"),
            _ => (-1, 0, ""),
        };
        if (data.Length != dataLength || accounts.Length < accountCount) return false;
        string first = tx.GetAccountKey(accounts[0]).ToString();
        string second = accountCount > 1 ? tx.GetAccountKey(accounts[1]).ToString() : "";
        w.WriteStartObject();
        w.WriteStartObject("parsed");
        w.WriteStartObject("info");
        switch (kind)
        {
            case SystemInstructionKind.CreateAccount:
                w.WriteString("source", first);
                w.WriteString("newAccount", second);
                w.WriteNumber("lamports", BinaryPrimitives.ReadUInt64LittleEndian(data[4..]));
                w.WriteNumber("space", BinaryPrimitives.ReadUInt64LittleEndian(data[12..]));
                w.WriteString("owner", new Pubkey(data.Slice(20, Pubkey.Size)).ToString());
                break;
            case SystemInstructionKind.Assign:
                w.WriteString("account", first);
                w.WriteString("owner", new Pubkey(data.Slice(4, Pubkey.Size)).ToString());
                break;
            case SystemInstructionKind.Transfer:
                w.WriteString("source", first);
                w.WriteString("destination", second);
                w.WriteNumber("lamports", BinaryPrimitives.ReadUInt64LittleEndian(data[4..]));
                break;
            default:
                w.WriteString("account", first);
                w.WriteNumber("space", BinaryPrimitives.ReadUInt64LittleEndian(data[4..]));
                break;
        }
        w.WriteEndObject();
        w.WriteString("type", type);
        w.WriteEndObject();
        w.WriteString("program", "system");
        w.WriteString("programId", SystemProgram.Id.ToString());
        w.WriteNull("stackHeight");
        w.WriteEndObject();
        return true;
    }
}
