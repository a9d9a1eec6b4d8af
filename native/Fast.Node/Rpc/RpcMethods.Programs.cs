using System.Globalization;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;

namespace Fast.Node.Rpc;

/// <summary>
/// Accounts by program, from the owner index (Bank.GetProgramAccounts: the rooted store's per-program
/// key index plus the unflushed slots; never a scan of the store): getProgramAccounts with Solana's
/// <c>dataSize</c> and <c>memcmp</c> filters (at most <see cref="MaxFilters"/>) and a result cap
/// (<see cref="MaxProgramAccounts"/> matches; more is an error asking for filters, as a node with
/// <c>--rpc-max-program-accounts</c> would answer), and the token reads getTokenAccountBalance,
/// getTokenSupply and getTokenAccountsByOwner (a token account's owner is at offset 36 of its data,
/// its mint at offset 4: docs/programs.md). The system program's accounts are not indexed: asking for
/// them is refused. Cold path.
/// </summary>
public sealed partial class RpcMethods
{
    /// <summary>The most accounts getProgramAccounts / getTokenAccountsByOwner return.</summary>
    public const int MaxProgramAccounts = 10_000;

    /// <summary>Solana's limit on filters per request.</summary>
    public const int MaxFilters = 4;

    private readonly record struct AccountFilter(int? DataSize, int Offset, byte[]? Bytes)
    {
        public bool Matches(ReadOnlySpan<byte> data) =>
            DataSize is int size ? data.Length == size : Offset <= data.Length - Bytes!.Length && data.Slice(Offset, Bytes.Length).SequenceEqual(Bytes);
    }

    private sealed record ProgramAccountsView(List<KeyValuePair<Pubkey, Account>> Accounts, bool Capped);

    /// <summary><c>getProgramAccounts(programId, {commitment, encoding, dataSlice, filters, withContext})</c>: <c>[{pubkey, account}]</c> (or <c>{context, value}</c>).</summary>
    private RpcError? GetProgramAccounts(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.Pubkey(0, out Pubkey program), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment),
            DataEncoding(config, out string encoding), DataSlice(config, out DataSliceConfig? slice));
        if (error is not null) return error;
        error = First(Filters(config, out List<AccountFilter> filters), OptionalBoolean(config, "withContext", false, out bool withContext));
        if (error is not null) return error;
        if (program.IsZero) return RpcError.Params("the system program's accounts are not indexed by owner; ask for a program's accounts");
        ProgramAccountsView? view = _backend.ReadBank(commitment, bank => Owned(bank, program, filters), out ulong slot);
        if (view is null) return RpcError.Params("this node cannot serve getProgramAccounts");
        if (view.Capped) return RpcError.Params($"more than {MaxProgramAccounts} accounts match; narrow the request with filters");
        return WriteKeyedAccounts(w, view.Accounts, encoding, slice, withContext, slot);
    }

    /// <summary><c>getTokenAccountsByOwner(owner, {mint} | {programId}, {commitment, encoding, dataSlice})</c>: <c>{context, value: [{pubkey, account}]}</c>.</summary>
    private RpcError? GetTokenAccountsByOwner(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(2, 3), p.Pubkey(0, out Pubkey owner), ConfigAndCommitment(p, 2, out JsonElement config, out Commitment commitment),
            DataEncoding(config, out string encoding), DataSlice(config, out DataSliceConfig? slice));
        if (error is not null) return error;
        JsonElement selector = p[1];
        List<AccountFilter> filters = [new AccountFilter(TokenAccountState.Length, 0, null), new AccountFilter(null, 36, owner.Span.ToArray())];
        if (selector.ValueKind == JsonValueKind.Object && selector.TryGetProperty("mint", out JsonElement mintText))
        {
            if (mintText.ValueKind != JsonValueKind.String || !Pubkey.TryParse(mintText.GetString(), out Pubkey mint)) return RpcError.Params("mint must be base58 of 32 bytes");
            filters.Add(new AccountFilter(null, 4, mint.Span.ToArray()));
        }
        else if (selector.ValueKind == JsonValueKind.Object && selector.TryGetProperty("programId", out JsonElement programText))
        {
            if (programText.ValueKind != JsonValueKind.String || !Pubkey.TryParse(programText.GetString(), out Pubkey programId) || programId != TokenProgram.Id)
            {
                return RpcError.Params($"programId must be the token program, {TokenProgram.Id}");
            }
        }
        else
        {
            return RpcError.Params("the second parameter must be {\"mint\": ...} or {\"programId\": ...}");
        }
        ProgramAccountsView? view = _backend.ReadBank(commitment, bank => Owned(bank, TokenProgram.Id, filters), out ulong slot);
        if (view is null) return RpcError.Params("this node cannot serve getTokenAccountsByOwner");
        if (view.Capped) return RpcError.Params($"more than {MaxProgramAccounts} accounts match; ask by mint");
        return WriteKeyedAccounts(w, view.Accounts, encoding, slice, withContext: true, slot);
    }

    /// <summary><c>getTokenAccountBalance(account, {commitment})</c>: <c>{context, value: {amount, decimals, uiAmount, uiAmountString}}</c>.</summary>
    private RpcError? GetTokenAccountBalance(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.Pubkey(0, out Pubkey address), ConfigAndCommitment(p, 1, out _, out Commitment commitment));
        if (error is not null) return error;
        IReadOnlyList<AccountSnapshot?> account = _backend.Accounts([address], commitment, out ulong slot);
        if (account[0] is not AccountSnapshot snapshot || snapshot.Owner != TokenProgram.Id || !TokenAccountState.TryRead(snapshot.Data, out TokenAccountState state))
        {
            return RpcError.Params("Invalid param: not a Token account");
        }
        IReadOnlyList<AccountSnapshot?> mint = _backend.Accounts([state.Mint], commitment, out _);
        if (mint[0] is not AccountSnapshot mintSnapshot || !MintState.TryRead(mintSnapshot.Data, out MintState mintState)) return RpcError.Params("Invalid param: the account's mint could not be read");
        WriteTokenAmount(w, slot, state.Amount, mintState.Decimals);
        return null;
    }

    /// <summary><c>getTokenSupply(mint, {commitment})</c>: <c>{context, value: {amount, decimals, uiAmount, uiAmountString}}</c> of minted − burnt.</summary>
    private RpcError? GetTokenSupply(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.Pubkey(0, out Pubkey address), ConfigAndCommitment(p, 1, out _, out Commitment commitment));
        if (error is not null) return error;
        IReadOnlyList<AccountSnapshot?> mint = _backend.Accounts([address], commitment, out ulong slot);
        if (mint[0] is not AccountSnapshot snapshot || snapshot.Owner != TokenProgram.Id || !MintState.TryRead(snapshot.Data, out MintState state))
        {
            return RpcError.Params("Invalid param: not a Token mint");
        }
        WriteTokenAmount(w, slot, state.Supply, state.Decimals);
        return null;
    }

    private static ProgramAccountsView Owned(Fast.Exec.Banking.Bank bank, Pubkey program, List<AccountFilter> filters)
    {
        List<KeyValuePair<Pubkey, Account>> owned = [];
        bank.GetProgramAccounts(program, owned);
        List<KeyValuePair<Pubkey, Account>> matched = [];
        foreach (KeyValuePair<Pubkey, Account> account in owned)
        {
            bool all = true;
            foreach (AccountFilter filter in filters) all &= filter.Matches(account.Value.Data);
            if (!all) continue;
            if (matched.Count == MaxProgramAccounts) return new ProgramAccountsView([], Capped: true);
            matched.Add(account);
        }
        return new ProgramAccountsView(matched, Capped: false);
    }

    private RpcError? WriteKeyedAccounts(Utf8JsonWriter w, List<KeyValuePair<Pubkey, Account>> accounts, string encoding, DataSliceConfig? slice, bool withContext, ulong slot)
    {
        AccountSnapshot[] snapshots = [.. accounts.Select(a => new AccountSnapshot(a.Value.Lamports, a.Value.Owner, a.Value.Executable, a.Value.DataMemory.ToArray()))];
        RpcError? error = CheckEncodable(snapshots, encoding, slice);
        if (error is not null) return error;
        if (withContext)
        {
            w.WriteStartObject();
            WriteContext(w, slot);
            w.WritePropertyName("value");
        }
        w.WriteStartArray();
        for (int i = 0; i < snapshots.Length; i++)
        {
            w.WriteStartObject();
            w.WriteString("pubkey", accounts[i].Key.ToString());
            w.WritePropertyName("account");
            WriteAccount(w, snapshots[i], encoding, slice);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (withContext) w.WriteEndObject();
        return null;
    }

    private static void WriteTokenAmount(Utf8JsonWriter w, ulong slot, ulong amount, byte decimals)
    {
        w.WriteStartObject();
        WriteContext(w, slot);
        w.WriteStartObject("value");
        w.WriteString("amount", amount.ToString(CultureInfo.InvariantCulture));
        w.WriteNumber("decimals", decimals);
        string ui = UiAmount(amount, decimals);
        w.WriteNumber("uiAmount", double.Parse(ui, CultureInfo.InvariantCulture));
        w.WriteString("uiAmountString", ui);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The amount with <paramref name="decimals"/> places, trailing zeros trimmed (Solana's uiAmountString), exact.</summary>
    private static string UiAmount(ulong amount, byte decimals)
    {
        string digits = amount.ToString(CultureInfo.InvariantCulture);
        if (decimals == 0) return digits;
        digits = digits.PadLeft(decimals + 1, '0');
        string whole = digits[..^decimals], fraction = digits[^decimals..].TrimEnd('0');
        return fraction.Length == 0 ? whole : whole + "." + fraction;
    }

    /// <summary>Solana's filters: <c>{"dataSize": n}</c> and <c>{"memcmp": {"offset": n, "bytes": "...", "encoding": "base58"|"base64"}}</c>.</summary>
    private static RpcError? Filters(JsonElement config, out List<AccountFilter> filters)
    {
        filters = [];
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("filters", out JsonElement list) || list.ValueKind == JsonValueKind.Null) return null;
        if (list.ValueKind != JsonValueKind.Array) return RpcError.Params("filters must be an array");
        if (list.GetArrayLength() > MaxFilters) return RpcError.Params($"Too many filters provided; max {MaxFilters}");
        foreach (JsonElement filter in list.EnumerateArray())
        {
            if (filter.ValueKind == JsonValueKind.Object && filter.TryGetProperty("dataSize", out JsonElement size))
            {
                if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt32(out int n) || n < 0 || n > Account.MaxDataLength) return RpcError.Params("dataSize must be a length from 0 to 10 MiB");
                filters.Add(new AccountFilter(n, 0, null));
                continue;
            }
            if (filter.ValueKind != JsonValueKind.Object || !filter.TryGetProperty("memcmp", out JsonElement memcmp) || memcmp.ValueKind != JsonValueKind.Object
                || !memcmp.TryGetProperty("offset", out JsonElement offsetValue) || offsetValue.ValueKind != JsonValueKind.Number || !offsetValue.TryGetInt32(out int offset) || offset < 0
                || !memcmp.TryGetProperty("bytes", out JsonElement bytesValue) || bytesValue.ValueKind != JsonValueKind.String)
            {
                return RpcError.Params("a filter is {\"dataSize\": n} or {\"memcmp\": {\"offset\": n, \"bytes\": \"...\"}}");
            }
            string text = bytesValue.GetString() ?? "";
            string encoding = RpcParams.OptionalString(memcmp, "encoding") ?? "base58";
            if (text.Length > 256) return RpcError.Params("memcmp bytes are limited to 128 bytes"); // Solana's MAX_DATA_SIZE before decoding
            byte[]? bytes = encoding switch
            {
                "base58" => TryBase58(text),
                "base64" => TryBase64(text),
                _ => null,
            };
            if (bytes is null || bytes.Length > 128) return RpcError.Params("memcmp bytes must be base58 or base64 of at most 128 bytes");
            filters.Add(new AccountFilter(null, offset, bytes));
        }
        return null;
    }

    private static byte[]? TryBase58(string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        return Base58.TryDecode(text, buffer, out int written) ? buffer[..written].ToArray() : null;
    }

    private static byte[]? TryBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
