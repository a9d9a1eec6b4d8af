using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>
/// The staking and by-owner RPC methods over a real staking bank chain (4-slot epochs): getStakeActivation,
/// getInflationReward, getInflationRate, getProgramAccounts with filters, and the token reads.
/// </summary>
public sealed class RpcStakingMethodsTests : IDisposable
{
    private static readonly Keypair Payer = Keypair.TryFromSecretKey(Hash.Compute("rpc staking payer"u8).Span, out Keypair? k) ? k : throw new InvalidOperationException();
    private static readonly Pubkey PayerKey = new(Payer.PublicKey);
    private static readonly Pubkey IdentityA = new(Hash.Compute("identity a"u8).Span), IdentityB = new(Hash.Compute("identity b"u8).Span);
    private static readonly Pubkey VoteA = new(Hash.Compute("vote a"u8).Span), VoteB = new(Hash.Compute("vote b"u8).Span);
    private static readonly Hash GenesisHash = Hash.Compute("rpc staking genesis"u8);

    private readonly TempDir _dir = new("fast-rpc-staking");
    private readonly AccountsDb _accounts;
    private readonly FakeRpcBackend _backend = new();
    private readonly Bank _bank;
    private readonly Keypair _stake = Keypair.Generate(), _mint = Keypair.Generate(), _tokens = Keypair.Generate();

    public RpcStakingMethodsTests()
    {
        _accounts = AccountsDb.Open(new AccountsDbOptions { Directory = _dir.Path, IndexBytes = 1L << 20, PageBytes = 1L << 20, MemoryBytes = 8L << 20, SegmentBytes = 32L << 20 });
        StakingConfig staking = new() { SlotsPerEpoch = 4, SlotsPerYear = 40, Validators = [(IdentityA, VoteA, 1_000_000_000_000_000), (IdentityB, VoteB, 1_000_000_000_000_000)] };
        GenesisConfig genesis = new(GenesisHash, [(PayerKey, new Account(1_000_000_000_000_000, Pubkey.Zero, false, null))]) { Staking = staking };
        _bank = new Bank(Bank.Genesis(_accounts, genesis), 1, IdentityA);
        ulong rent = _bank.Rent.MinimumBalance(StakeState.Length);
        Run([_stake], StakeInstruction.CreateStakeAccount(PayerKey, Key(_stake), rent + 5_000_000_000_000), StakeInstruction.Initialize(Key(_stake), PayerKey), StakeInstruction.Delegate(Key(_stake), VoteA, PayerKey));
        Run([_mint], TokenInstruction.CreateMintAccount(PayerKey, Key(_mint), _bank.Rent.MinimumBalance(MintState.Length)), TokenInstruction.InitializeMint(Key(_mint), PayerKey, 3, 1_000_000));
        Run([_tokens], TokenInstruction.CreateTokenAccount(PayerKey, Key(_tokens), _bank.Rent.MinimumBalance(TokenAccountState.Length)), TokenInstruction.InitializeAccount(Key(_tokens), Key(_mint), PayerKey),
            TokenInstruction.MintTo(Key(_mint), Key(_tokens), PayerKey, 12_340));
        for (ulong slot = 2; slot <= 9; slot++) // through the boundaries into epochs 1 and 2: active in 1, rewarded for 1 at 2
        {
            _bank.Freeze(Hash.Compute(BitConverter.GetBytes(slot)));
            _bank = new Bank(_bank, slot, IdentityA);
        }
        _backend.Bank = _bank;
    }

    private static Pubkey Key(Keypair keypair) => new(keypair.PublicKey);

    private void Run(Keypair[] signers, params Instruction[] instructions)
    {
        TransactionBuilder builder = new(PayerKey, GenesisHash);
        foreach (Instruction instruction in instructions) builder.Add(instruction);
        byte[] bytes = builder.Sign([Payer, .. signers]);
        Assert.True(TransactionView.TryParse(bytes, out TransactionView view).IsOk);
        Exec.TransactionResult result = _bank.Process(view);
        Assert.True(result.IsOk, result.ToString());
    }

    [Fact]
    public void GetStakeActivation_and_getInflationReward_report_a_delegation_that_became_active_and_earned()
    {
        JsonElement activation = RpcCall.Result(_backend, "getStakeActivation", $"""["{Key(_stake)}"]""");
        Assert.Equal("active", activation.GetProperty("state").GetString());
        Assert.True(activation.GetProperty("active").GetUInt64() > 5_000_000_000_000UL); // the epoch-1 reward compounded into it
        Assert.Equal(0UL, activation.GetProperty("inactive").GetUInt64());
        JsonElement before = RpcCall.Result(_backend, "getStakeActivation", $$"""["{{Key(_stake)}}", {"epoch": 0}]""");
        Assert.Equal("activating", before.GetProperty("state").GetString());

        JsonElement rewards = RpcCall.Result(_backend, "getInflationReward", $$"""[["{{Key(_stake)}}", "{{PayerKey}}"], {"epoch": 1}]""");
        JsonElement reward = rewards[0];
        Assert.Equal(1UL, reward.GetProperty("epoch").GetUInt64());
        Assert.Equal(8UL, reward.GetProperty("effectiveSlot").GetUInt64());
        Assert.True(reward.GetProperty("amount").GetUInt64() > 0);
        Assert.Equal(10, reward.GetProperty("commission").GetInt32());
        Assert.Equal(JsonValueKind.Null, rewards[1].ValueKind); // not a stake account
        Assert.Contains("not yet complete", RpcCall.Error(_backend, "getInflationReward", $$"""[["{{Key(_stake)}}"], {"epoch": 2}]""").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInflationRate_and_governor_give_genesis_schedule_and_getSupply_the_banks_capitalization()
    {
        JsonElement rate = RpcCall.Result(_backend, "getInflationRate");
        Assert.Equal(0.08, rate.GetProperty("total").GetDouble(), 6);
        Assert.Equal(2UL, rate.GetProperty("epoch").GetUInt64());
        JsonElement governor = RpcCall.Result(_backend, "getInflationGovernor");
        Assert.Equal(0.015, governor.GetProperty("terminal").GetDouble(), 6);
        ulong sum = 0;
        foreach (Account account in _bank.ReadAllAccounts().Values) sum += account.Lamports;
        Assert.True(_bank.GetSupply().RewardsIssued > 0);
        Assert.Equal(sum + _bank.CollectedFees, _bank.Capitalization); // the open bank's fees are credited at its freeze
    }

    [Fact]
    public void GetProgramAccounts_filters_by_size_and_bytes_and_refuses_the_system_program()
    {
        JsonElement all = RpcCall.Result(_backend, "getProgramAccounts", $$$"""["{{{StakeProgram.Id}}}", {"filters": [{"dataSize": {{{StakeState.Length}}}}]}]""");
        Assert.Equal(3, all.GetArrayLength()); // two genesis stakes and ours
        JsonElement toA = RpcCall.Result(_backend, "getProgramAccounts", $$$"""["{{{StakeProgram.Id}}}", {"filters": [{"dataSize": {{{StakeState.Length}}}}, {"memcmp": {"offset": 40, "bytes": "{{{VoteA}}}"}}], "withContext": true}]""");
        string[] keys = [.. toA.GetProperty("value").EnumerateArray().Select(a => a.GetProperty("pubkey").GetString()!)];
        Assert.Equal([.. new[] { Key(_stake), StakeAddresses.GenesisStake(IdentityA) }.Order().Select(k => k.ToString())], keys);
        Assert.Equal(_bank.Slot, toA.GetProperty("context").GetProperty("slot").GetUInt64());
        Assert.Contains("system program", RpcCall.Error(_backend, "getProgramAccounts", $"""["{Pubkey.Zero}"]""").Message, StringComparison.Ordinal);
        string tooMany = "[\"" + StakeProgram.Id + "\", {\"filters\": [" + string.Join(", ", Enumerable.Repeat("{\"dataSize\": 1}", 5)) + "]}]";
        Assert.Contains("filters", RpcCall.Error(_backend, "getProgramAccounts", tooMany).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_reads_give_the_balance_supply_and_accounts_of_an_owner()
    {
        foreach (Pubkey key in (Pubkey[])[Key(_mint), Key(_tokens)]) // the single-account reads go through IRpcBackend.Accounts
        {
            Account account = _bank.GetAccount(key);
            _backend.AccountStore[key] = new AccountSnapshot(account.Lamports, account.Owner, account.Executable, account.DataMemory.ToArray());
        }
        JsonElement balance = RpcCall.Result(_backend, "getTokenAccountBalance", $"""["{Key(_tokens)}"]""").GetProperty("value");
        Assert.Equal("12340", balance.GetProperty("amount").GetString());
        Assert.Equal("12.34", balance.GetProperty("uiAmountString").GetString());
        Assert.Equal(3, balance.GetProperty("decimals").GetInt32());
        Assert.Equal("12340", RpcCall.Result(_backend, "getTokenSupply", $"""["{Key(_mint)}"]""").GetProperty("value").GetProperty("amount").GetString());
        JsonElement owned = RpcCall.Result(_backend, "getTokenAccountsByOwner", $$"""["{{PayerKey}}", {"mint": "{{Key(_mint)}}"}]""").GetProperty("value");
        Assert.Equal(Key(_tokens).ToString(), Assert.Single(owned.EnumerateArray()).GetProperty("pubkey").GetString());
        Assert.Empty(RpcCall.Result(_backend, "getTokenAccountsByOwner", $$"""["{{IdentityA}}", {"programId": "{{TokenProgram.Id}}"}]""").GetProperty("value").EnumerateArray());
    }

    public void Dispose()
    {
        _accounts.Dispose();
        _dir.Dispose();
    }
}
