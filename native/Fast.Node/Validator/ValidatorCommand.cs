using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Fast.Core.Platform;
using Fast.Node.Cli;

namespace Fast.Node.Validator;

/// <summary>`fast validator`: run one validator until SIGINT/SIGTERM (clean stop: checkpoint, flush, exit 0).</summary>
public static class ValidatorCommand
{
    public static Command Build(CliIO io)
    {
        ValidatorOptions d = new() { IdentityPath = "", GenesisPath = "", LedgerPath = "" };
        Option<string> identity = new("--identity") { Description = "This validator's identity keypair file", Required = true };
        Option<string?> vote = new("--vote-account") { Description = "This validator's vote account keypair file (optional until voting lands)" };
        Option<string> genesis = new("--genesis") { Description = "The cluster's genesis.bin", Required = true };
        Option<string> ledger = new("--ledger") { Description = "Directory for this validator's ledger (accounts, blocks)", Required = true };
        Option<long> rpcPort = CliOptions.Integer("--rpc-port", "JSON-RPC and /metrics port", d.RpcPort, 0, 65_535);
        Option<string> rpcBind = new("--rpc-bind-address") { Description = $"Address the RPC listens on (default {d.RpcBindAddress})", DefaultValueFactory = _ => d.RpcBindAddress.ToString() };
        Option<long> tpuPort = CliOptions.Integer("--tpu-port", "Transaction ingest UDP port", d.TpuPort, 0, 65_535);
        Option<long> tpuTcpPort = CliOptions.Integer("--tpu-tcp-port", "Transaction ingest TCP port (u16-length-prefixed frames)", d.TpuTcpPort, 0, 65_535);
        Option<long> gossipPort = CliOptions.Integer("--gossip-port", "Gossip UDP port (a cluster: a genesis with more than one validator)", d.GossipPort, 0, 65_535);
        Option<long> tvuPort = CliOptions.Integer("--tvu-port", "Shred (Turbine) UDP port", d.TvuPort, 0, 65_535);
        Option<long> repairPort = CliOptions.Integer("--repair-port", "Repair UDP port", d.RepairPort, 0, 65_535);
        Option<string?> entrypoint = new("--entrypoint") { Description = "HOST:PORT of a cluster node's gossip port to join through (none: the first node)" };
        Option<long> turbineFanout = CliOptions.Integer("--turbine-fanout", "Children per node in the Turbine tree", d.TurbineFanout, 2, 1024);
        Option<long> parentGrace = CliOptions.Integer("--parent-grace-ms", "How long a leader waits for the previous leader's block before building on what it has", d.ParentGraceMs, 0, 10_000);
        Option<string> bind = new("--bind-address") { Description = $"Address the TPU binds (default {d.BindAddress})", DefaultValueFactory = _ => d.BindAddress.ToString() };
        Option<string> advertise = new("--advertise-address") { Description = $"Address other nodes and clients are told (default {d.AdvertisedAddress})", DefaultValueFactory = _ => d.AdvertisedAddress.ToString() };
        Option<string?> cores = new("--cores") { Description = "Cores the node's stage threads are pinned to, e.g. 1-3 or 1,3 (default: not pinned)" };
        Option<string?> sigverifyCores = new("--sigverify-cores") { Description = "Cores only the sigverify threads run on, e.g. 1 or 2-3: thread i pinned to the i-th (round robin), every other thread of the node kept off them (default: none)" };
        Option<long> pohCore = CliOptions.Integer("--poh-core", "Core the PoH thread owns (-1: not pinned)", -1, -1, 1023);
        Option<long> sigverifyThreads = CliOptions.Integer("--sigverify-threads", "Sigverify threads", d.SigverifyThreads, 1, 256);
        Option<long> sigverifyBatch = CliOptions.Integer("--sigverify-batch", "Signatures per BIP-340 batch verification (1: one at a time; a packet waits at most for the batch ahead and its own)", d.SigverifyBatch, 1, Crypto.SchnorrBatchScratch.MaxCapacity);
        Option<long> bankingThreads = CliOptions.Integer("--banking-threads", "Sealevel execution threads (the banking thread plus helpers)", d.BankingThreads, 1, 256);
        Option<bool> lowPower = new("--low-power") { Description = "PoH sleeps to the wall clock between ticks instead of spinning a core (local devnets)" };
        Option<long> slotMs = CliOptions.Integer("--slot-ms", "Override genesis' target slot time for pacing (0: use genesis)", 0, 0, 60_000);
        Option<long> packetBuffers = CliOptions.Integer("--packet-buffers", "Packet buffers (1,280 B each)", d.PacketBuffers, 1024, 16 << 20);
        Option<long> sigverifyQueue = CliOptions.Integer("--sigverify-queue", "Packets waiting for sigverify, at most (8 B each)", d.SigverifyQueue, 64, 16 << 20);
        Option<long> bankingQueue = CliOptions.Integer("--banking-queue", "Verified transactions waiting for banking, at most (24 B each)", d.BankingQueue, 64, 16 << 20);
        Option<long> maxConnections = CliOptions.Integer("--max-tpu-connections", "Concurrent TPU TCP connections", d.MaxTpuConnections, 1, 100_000);
        Option<long> pohEntryQueue = CliOptions.Integer("--poh-entry-queue", "Entries and ticks PoH may have queued for the ledger writer (~130 B each); when full, records wait and a tick that cannot be queued abandons its slot", d.PohEntryQueue, 64, 1 << 24);
        Option<long> stallLedger = CliOptions.Integer("--test-stall-ledger-writer-ms", "TEST ONLY: the ledger writer sleeps this long before every append (fault injection)", 0, 0, 60_000);
        stallLedger.Hidden = true;
        Option<long> maxConnectionsPerIp = CliOptions.Integer("--max-tpu-connections-per-ip", "Concurrent TPU TCP connections from one IP address (more are refused, counted)", d.MaxTpuConnectionsPerIp, 1, 100_000);
        Option<long> frameTimeout = CliOptions.Integer("--tpu-tcp-frame-timeout-ms", "Close a TPU TCP connection that completes no frame for this long (idle, or trickling bytes)", d.TpuTcpFrameTimeoutMs, 100, 3_600_000);
        Option<long> rpcMaxResponse = CliOptions.Integer("--rpc-max-response-mb", "Largest JSON-RPC response in MiB; a call past it gets an error naming the cap", d.RpcMaxResponseBytes >> 20, 1, 1024);
        Option<long> rpcSendRetries = CliOptions.Integer("--rpc-send-transaction-default-max-retries", "Re-sends of a sendTransaction transaction that has not landed (every 2 s) when the request sets no maxRetries; -1: until its blockhash expires", -1, -1, 1000);
        Option<long> rpcPerIp = CliOptions.Integer("--rpc-max-connections-per-ip", "Concurrent RPC connections from one IP address (more are closed, counted)", d.RpcMaxConnectionsPerIp, 1, 100_000);
        Option<long> rpcKeepAlive = CliOptions.Integer("--rpc-keep-alive-seconds", "Close an idle RPC keep-alive connection after this many seconds", d.RpcKeepAliveSeconds, 1, 3600);
        Option<long> rpcRequestTimeout = CliOptions.Integer("--rpc-request-timeout-seconds", "An RPC request's headers must arrive within this, and its body at 240 B/s or more after it (slowloris)", d.RpcRequestTimeoutSeconds, 1, 3600);
        Rpc.PubSub.PubSubLimits ps = d.PubSubLimits;
        Option<long> pubsubPort = CliOptions.Integer("--rpc-pubsub-port", "WebSocket PubSub port (-1: the RPC port + 1, as Solana clients expect; 0: off)", -1, -1, 65_535);
        Option<long> pubsubPerIp = CliOptions.Integer("--rpc-pubsub-max-connections-per-ip", "Concurrent PubSub connections from one IP address (more are closed, counted)", ps.MaxConnectionsPerAddress, 1, 100_000);
        Option<long> pubsubSubscriptions = CliOptions.Integer("--rpc-pubsub-max-subscriptions-per-connection", "Active subscriptions one PubSub connection may hold (more are refused with an error)", ps.MaxSubscriptionsPerConnection, 1, 1_000_000);
        Option<long> pubsubQueued = CliOptions.Integer("--rpc-pubsub-max-queued-mb", "Outgoing MiB queued for one PubSub connection; a client that falls this far behind is dropped", ps.MaxQueuedBytesPerConnection >> 20, 1, 4096);
        Option<long> rpcSampleSecs = CliOptions.Integer("--rpc-performance-sample-secs", "Seconds per getRecentPerformanceSamples sample (720 are kept)", d.RpcPerformanceSampleSeconds, 1, 3600);
        Option<long> largestRefresh = CliOptions.Integer("--rpc-largest-accounts-refresh-seconds", "Least seconds between two getLargestAccounts scans of the rooted accounts (a background thread; answers may be this old)", d.RpcLargestAccountsRefreshSeconds, 1, 86_400);
        Option<string> faucetKeypair = new("--rpc-faucet-keypair") { Description = "Keypair file requestAirdrop pays from (`fast devnet` passes its faucet.json); without it airdrops are refused" };
        FaucetLimits f = d.FaucetLimits;
        Option<long> faucetPerRequest = CliOptions.Integer("--rpc-faucet-max-lamports", "Most lamports one requestAirdrop may ask for", (long)f.MaxLamportsPerRequest, 1, long.MaxValue);
        Option<long> faucetPerMinute = CliOptions.Integer("--rpc-faucet-lamports-per-minute", "Most lamports the faucet hands out per minute (all requests)", (long)f.MaxLamportsPerMinute, 1, long.MaxValue);
        Option<long> faucetRequests = CliOptions.Integer("--rpc-faucet-requests-per-minute", "Most requestAirdrop calls the faucet serves per minute", f.MaxRequestsPerMinute, 1, 1_000_000);
        Option<long> entryTransactions = CliOptions.Integer("--max-entry-transactions", "Transactions per entry", d.MaxEntryTransactions, 1, 4096);
        Option<long> rootDistance = CliOptions.Integer("--root-distance", "Slots between a frozen slot and its rooting", (long)d.RootDistance, 1, 1024);
        Option<long> checkpointInterval = CliOptions.Integer("--checkpoint-interval-slots", "Checkpoint the accounts when the root advanced this many slots", (long)d.CheckpointIntervalSlots, 1, 1_000_000);
        Option<long> limitLedger = CliOptions.Integer("--limit-ledger-slots", "Keep this many rooted slots of ledger, purging older ones (never those a restart replays or restores; 0 keeps everything)", (long)d.LimitLedgerSlots, 0, 1_000_000_000);
        Option<long> signatureIndex = CliOptions.Integer("--signature-index-log2", "log2 of the entries per recent-signature index segment (96 B each; the index grows by segments and keeps every status until its slot is rooted and its blockhash expired)", d.SignatureIndexLog2, 10, 24);
        Option<long> accountsMemory = CliOptions.Integer("--accounts-memory-mb", "Memory for the accounts store's in-memory log", d.AccountsMemoryBytes >> 20, 16, 1 << 20);
        Option<long> compactAbove = CliOptions.Integer("--accounts-compact-above-mb", "Compact the accounts log once it spans more than this many MiB (and twice what the last pass left); 0 never", d.AccountsCompactAboveBytes >> 20, 0, 1 << 30);
        Option<bool> noNetworkLimitsTest = new("--no-os-network-limits-test") { Description = $"Skip the start-up check that the UDP socket buffer sysctls (net.core.rmem_max, ...) are at least {UdpBufferSysctls.WantedBytes}" };
        Option<bool> noReplayPreverify = new("--no-replay-preverify") { Description = "Do not verify other leaders' block signatures while their shreds arrive (replay then verifies all of a block's at the slot's end)" };
        Option<long> minFreeDisk = CliOptions.Integer("--min-free-disk-mb", "Stop (exit 3) when the ledger's filesystem has less free space than this many MiB", d.MinFreeDiskBytes >> 20, 0, 1 << 30);
        Command command = new("validator", "Run a validator: TPU ingest, sigverify, banking (Sealevel), PoH, ledger, JSON-RPC and /metrics")
        {
            identity, vote, genesis, ledger, rpcPort, rpcBind, tpuPort, tpuTcpPort, gossipPort, tvuPort, repairPort, entrypoint, turbineFanout, parentGrace, bind, advertise, cores, sigverifyCores, pohCore, sigverifyThreads, sigverifyBatch, bankingThreads,
            lowPower, slotMs, packetBuffers, sigverifyQueue, bankingQueue, maxConnections, maxConnectionsPerIp, frameTimeout, pohEntryQueue, stallLedger,
            rpcMaxResponse, rpcSendRetries, rpcPerIp, rpcKeepAlive, rpcRequestTimeout, pubsubPort, pubsubPerIp, pubsubSubscriptions, pubsubQueued, rpcSampleSecs, largestRefresh, faucetKeypair, faucetPerRequest, faucetPerMinute, faucetRequests, entryTransactions, rootDistance, checkpointInterval, limitLedger, signatureIndex, accountsMemory, compactAbove, minFreeDisk, noNetworkLimitsTest, noReplayPreverify,
        };
        command.SetAction(parse =>
        {
            ValidatorOptions options = new()
            {
                IdentityPath = parse.GetValue(identity)!,
                VoteAccountPath = parse.GetValue(vote),
                GenesisPath = parse.GetValue(genesis)!,
                LedgerPath = parse.GetValue(ledger)!,
                RpcPort = (int)parse.GetValue(rpcPort),
                RpcBindAddress = Address(parse.GetValue(rpcBind)!, "--rpc-bind-address"),
                TpuPort = (int)parse.GetValue(tpuPort),
                TpuTcpPort = (int)parse.GetValue(tpuTcpPort),
                GossipPort = (int)parse.GetValue(gossipPort),
                TvuPort = (int)parse.GetValue(tvuPort),
                RepairPort = (int)parse.GetValue(repairPort),
                Entrypoint = parse.GetValue(entrypoint) is string e ? EndPointOf(e, "--entrypoint") : null,
                TurbineFanout = (int)parse.GetValue(turbineFanout),
                ParentGraceMs = (int)parse.GetValue(parentGrace),
                ReplayPreverify = !parse.GetValue(noReplayPreverify),
                BindAddress = Address(parse.GetValue(bind)!, "--bind-address"),
                AdvertisedAddress = Address(parse.GetValue(advertise)!, "--advertise-address"),
                Cores = ParseCores(parse.GetValue(cores)),
                SigverifyCores = ParseCores(parse.GetValue(sigverifyCores), "--sigverify-cores"),
                PohCore = parse.GetValue(pohCore) >= 0 ? (int)parse.GetValue(pohCore) : null,
                SigverifyThreads = (int)parse.GetValue(sigverifyThreads),
                SigverifyBatch = (int)parse.GetValue(sigverifyBatch),
                BankingThreads = (int)parse.GetValue(bankingThreads),
                LowPower = parse.GetValue(lowPower),
                SlotMs = parse.GetValue(slotMs) > 0 ? (int)parse.GetValue(slotMs) : null,
                PacketBuffers = (int)parse.GetValue(packetBuffers),
                SigverifyQueue = (int)parse.GetValue(sigverifyQueue),
                BankingQueue = (int)parse.GetValue(bankingQueue),
                MaxTpuConnections = (int)parse.GetValue(maxConnections),
                MaxTpuConnectionsPerIp = (int)parse.GetValue(maxConnectionsPerIp),
                TpuTcpFrameTimeoutMs = (int)parse.GetValue(frameTimeout),
                RpcMaxResponseBytes = (int)(parse.GetValue(rpcMaxResponse) << 20),
                RpcSendMaxRetries = parse.GetValue(rpcSendRetries) is long retries and >= 0 ? (int)retries : null,
                RpcMaxConnectionsPerIp = (int)parse.GetValue(rpcPerIp),
                RpcKeepAliveSeconds = (int)parse.GetValue(rpcKeepAlive),
                RpcPerformanceSampleSeconds = (int)parse.GetValue(rpcSampleSecs),
                RpcPubSubPort = parse.GetValue(pubsubPort) >= 0 ? (int)parse.GetValue(pubsubPort) : null,
                PubSubLimits = ps with
                {
                    MaxConnectionsPerAddress = (int)parse.GetValue(pubsubPerIp),
                    MaxSubscriptionsPerConnection = (int)parse.GetValue(pubsubSubscriptions),
                    MaxQueuedBytesPerConnection = parse.GetValue(pubsubQueued) << 20,
                },
                RpcLargestAccountsRefreshSeconds = (int)parse.GetValue(largestRefresh),
                FaucetKeypairPath = parse.GetValue(faucetKeypair),
                FaucetLimits = new FaucetLimits
                {
                    MaxLamportsPerRequest = (ulong)parse.GetValue(faucetPerRequest),
                    MaxLamportsPerMinute = (ulong)parse.GetValue(faucetPerMinute),
                    MaxRequestsPerMinute = (int)parse.GetValue(faucetRequests),
                },
                RpcRequestTimeoutSeconds = (int)parse.GetValue(rpcRequestTimeout),
                MaxEntryTransactions = (int)parse.GetValue(entryTransactions),
                PohEntryQueue = (int)parse.GetValue(pohEntryQueue),
                TestStallLedgerWriterMs = (int)parse.GetValue(stallLedger),
                RootDistance = (ulong)parse.GetValue(rootDistance),
                CheckpointIntervalSlots = (ulong)parse.GetValue(checkpointInterval),
                LimitLedgerSlots = (ulong)parse.GetValue(limitLedger),
                SignatureIndexLog2 = (int)parse.GetValue(signatureIndex),
                AccountsMemoryBytes = parse.GetValue(accountsMemory) << 20,
                AccountsCompactAboveBytes = parse.GetValue(compactAbove) << 20,
                MinFreeDiskBytes = parse.GetValue(minFreeDisk) << 20,
            };
            return Run(options, io, checkNetworkLimits: !parse.GetValue(noNetworkLimitsTest));
        });
        return command;
    }

    private static int Run(ValidatorOptions options, CliIO io, bool checkNetworkLimits)
    {
        using CancellationTokenSource stop = new();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        if (ParentDeath.Arm() is string orphaned) throw new CliException(orphaned, ExitCodes.Failure);
        if (options.SigverifyCores is { Length: > 0 } dedicated)
        {
            int[] rest = DedicateSigverifyCores(dedicated, options.Cores, options.PohCore, CpuAffinity.AllowedCores());
            if (!CpuAffinity.TryRestrictProcess(rest, out int errno))
                throw new CliException($"--sigverify-cores: cannot keep the node's other threads on cores {string.Join(',', rest)} (errno {errno})", ExitCodes.Failure);
        }
        Validator validator;
        try
        {
            validator = Validator.Open(options, io.Err);
        }
        catch (ValidatorStartException e)
        {
            throw new CliException(e.Message, e.Environment ? ExitCodes.Failure : ExitCodes.BadInput);
        }
        catch (Fast.Storage.LedgerDamagedException e)
        {
            throw new CliException($"damaged ledger: {e.Message}; refusing to start (nothing on disk was changed)", ExitCodes.Failure);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Fast.Storage.StorageException or Fast.Exec.Banking.StorageUnreadableException)
        {
            throw new CliException($"cannot open the ledger in {options.LedgerPath}: {e.Message}", ExitCodes.Failure);
        }
        if (checkNetworkLimits)
        {
            // After the inputs are known good (a bad flag stays a one-line error), before the sockets are bound.
            foreach (string line in UdpBufferSysctls.Warnings(UdpBufferSysctls.Check())) io.Err.WriteLine(line);
        }
        string? fault = null;
        try
        {
            try
            {
                validator.StartAsync().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or ValidatorStartException)
            {
                throw new CliException($"cannot start: {e.Message}", ExitCodes.Failure);
            }
            while (!stop.IsCancellationRequested)
            {
                fault = validator.Fault;
                if (fault is not null) break;
                stop.Token.WaitHandle.WaitOne(200);
            }
        }
        finally
        {
            validator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        if (fault is not null) throw new CliException(fault, ExitCodes.Failure);
        io.Err.WriteLine("validator: stopped cleanly");
        return ExitCodes.Ok;
    }

    private static IPAddress Address(string text, string option) =>
        IPAddress.TryParse(text, out IPAddress? address) ? address : throw new CliException($"{option} '{text}' is not an IP address");

    /// <summary>"HOST:PORT" (an IPv4 address or a host name that resolves to one) → an endpoint; a one-line error otherwise.</summary>
    internal static IPEndPoint EndPointOf(string text, string option)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65_535)
        {
            throw new CliException($"{option} '{text}' is not HOST:PORT");
        }
        string host = text[..colon];
        if (IPAddress.TryParse(host, out IPAddress? address)) return new IPEndPoint(address, port);
        try
        {
            IPAddress? v4 = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
            return v4 is not null ? new IPEndPoint(v4, port) : throw new CliException($"{option}: '{host}' has no IPv4 address");
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new CliException($"{option}: cannot resolve '{host}' ({e.Message})");
        }
    }

    /// <summary>
    /// The cores left for every thread but the sigverify threads once <paramref name="sigverify"/> are
    /// theirs alone: <paramref name="allowed"/> (the cores this process may use) without them. A
    /// one-line error when a dedicated core is not one this process may use, when none would be
    /// left, or when --cores or --poh-core name a dedicated core.
    /// </summary>
    internal static int[] DedicateSigverifyCores(int[] sigverify, int[]? cores, int? pohCore, int[] allowed)
    {
        string list = string.Join(',', sigverify);
        foreach (int core in sigverify)
        {
            if (Array.IndexOf(allowed, core) < 0)
                throw new CliException($"--sigverify-cores {list}: this process may run on cores {string.Join(',', allowed)} only");
        }
        int[] rest = [.. allowed.Where(c => Array.IndexOf(sigverify, c) < 0)];
        if (rest.Length == 0) throw new CliException($"--sigverify-cores {list}: leaves no core for the rest of the node (this process may run on {string.Join(',', allowed)})");
        if (cores?.FirstOrDefault(c => Array.IndexOf(sigverify, c) >= 0, -1) is int shared and >= 0)
            throw new CliException($"--cores and --sigverify-cores both name core {shared}: a dedicated core is the sigverify threads' alone");
        if (pohCore is int poh && Array.IndexOf(sigverify, poh) >= 0)
            throw new CliException($"--poh-core {poh} is one of --sigverify-cores {list}: a dedicated core is the sigverify threads' alone");
        return rest;
    }

    /// <summary>"1-3", "1,3", "0,2-3" → core numbers.</summary>
    internal static int[]? ParseCores(string? text, string option = "--cores")
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        List<int> cores = [];
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] range = part.Split('-');
            if (range.Length is 1 or 2
                && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                && int.TryParse(range[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                && first <= last && last < 1024)
            {
                for (int c = first; c <= last; c++) cores.Add(c);
                continue;
            }
            throw new CliException($"{option} '{text}': expected core numbers like 1-3 or 1,3");
        }
        return [.. cores.Distinct()];
    }
}
