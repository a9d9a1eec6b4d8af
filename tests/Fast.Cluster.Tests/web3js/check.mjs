// An unmodified @solana/web3.js 1.x (pinned in package-lock.json) reading a Fast node: every read
// method Connection offers that Fast serves, through Connection's own calls (its response schemas
// reject any shape that differs from Solana's), and the few it lacks through raw JSON-RPC; then its
// WebSocket paths (PubSub on the RPC port + 1): onSlotChange, onAccountChange, onSignature and
// confirmTransaction, whose notifications the same schemas check. Fast signs
// with secp256k1 Schnorr, so the library only reads; the node's faucet (requestAirdrop) makes the
// transactions. Usage: node check.mjs http://127.0.0.1:PORT. Prints one line per check; exit 1 on any failure.
import {
  Connection, Keypair, PublicKey, SystemProgram, TransactionMessage, LAMPORTS_PER_SOL,
} from '@solana/web3.js';

const url = process.argv[2];
const connection = new Connection(url, { commitment: 'confirmed', disableRetryOnRateLimit: true });
let passed = 0;
let failed = 0;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function check(name, body) {
  try {
    const value = await body();
    passed++;
    console.log(`ok   ${name}`);
    return value;
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${String(e && e.message ? e.message : e).split('\n')[0]}`);
    return undefined;
  }
}

async function raw(method, params = []) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${body.error.code} ${body.error.message}`);
  return body.result;
}

async function confirmed(signature) {
  for (let i = 0; i < 300; i++) {
    const { value } = await connection.getSignatureStatuses([signature]);
    const status = value[0];
    if (status && (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized')) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${signature} was not confirmed within 60 s`);
}

const recipient = Keypair.generate().publicKey;
const other = Keypair.generate().publicKey;
const third = Keypair.generate().publicKey;

function within(ms, what, body) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms / 1000} s`)), ms);
    body((value) => { clearTimeout(timer); resolve(value); }, (error) => { clearTimeout(timer); reject(error); });
  });
}

await check('getVersion', async () => assert(typeof (await connection.getVersion())['solana-core'] === 'string', 'no solana-core'));
await check('getGenesisHash', async () => assert((await connection.getGenesisHash()).length >= 32, 'short hash'));
await check('getHealth (raw)', async () => assert((await raw('getHealth')) === 'ok', 'not ok'));
await check('getSlot', async () => assert((await connection.getSlot()) >= 0, 'slot'));
await check('getBlockHeight', async () => assert((await connection.getBlockHeight()) >= 0, 'height'));
await check('getTransactionCount', async () => assert((await connection.getTransactionCount()) >= 0, 'count'));
await check('getEpochInfo', async () => assert((await connection.getEpochInfo()).slotsInEpoch > 0, 'slotsInEpoch'));
await check('getEpochSchedule', async () => assert((await connection.getEpochSchedule()).slotsPerEpoch > 0, 'slotsPerEpoch'));
const latest = await check('getLatestBlockhash', () => connection.getLatestBlockhash());
await check('isBlockhashValid', async () => assert((await connection.isBlockhashValid(latest.blockhash)).value === true, 'latest blockhash not valid'));
await check('getSlotLeader', async () => new PublicKey(await connection.getSlotLeader()));
await check('getLeaderSchedule', async () => assert(Object.keys(await connection.getLeaderSchedule()).length === 1, 'one leader'));
await check('getClusterNodes', async () => assert((await connection.getClusterNodes()).length === 1, 'one node'));
await check('getVoteAccounts', async () => assert((await connection.getVoteAccounts()).current.length === 1, 'one vote account'));
await check('getMinimumBalanceForRentExemption', async () => assert((await connection.getMinimumBalanceForRentExemption(0)) > 0, 'rent'));
await check('getSupply', async () => {
  const { value } = await connection.getSupply({ commitment: 'confirmed', excludeNonCirculatingAccountsList: true });
  assert(value.total > 0 && value.circulating === value.total, `total ${value.total} circulating ${value.circulating}`);
});
await check('getInflationGovernor', async () => {
  const g = await connection.getInflationGovernor();
  assert(g.initial >= g.terminal && g.terminal >= 0 && g.taper >= 0 && g.taper < 1 && g.foundation === 0, `governor ${JSON.stringify(g)}`);
});
await check('getStakeMinimumDelegation', async () => assert((await connection.getStakeMinimumDelegation()).value === LAMPORTS_PER_SOL, 'minimum'));
await check('getLargestAccounts', async () => {
  // Ranked by a background scan: the very first request may be told to retry while that scan runs.
  for (let attempt = 0; ; attempt++) {
    try {
      const { value } = await connection.getLargestAccounts({ filter: 'circulating' });
      assert(value.length > 0 && value.length <= 20, `${value.length} accounts`);
      for (let i = 1; i < value.length; i++) assert(value[i - 1].lamports >= value[i].lamports, 'not most lamports first');
      assert((await connection.getLargestAccounts({ filter: 'nonCirculating' })).value.length === 0, 'non-circulating accounts');
      return;
    } catch (e) {
      if (attempt >= 20 || !String(e && e.message).includes('not available yet')) throw e;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
});
await check('getHighestSnapshotSlot (raw: No snapshot)', async () => {
  try {
    await raw('getHighestSnapshotSlot');
  } catch (e) {
    assert(String(e.message).includes('-32008 No snapshot'), e.message);
    return;
  }
  throw new Error('expected the no-snapshot error');
});
await check('getIdentity (raw)', async () => new PublicKey((await raw('getIdentity')).identity));
await check('getMaxRetransmitSlot (raw)', async () => assert((await raw('getMaxRetransmitSlot')) >= 0, 'slot'));
await check('getMaxShredInsertSlot (raw)', async () => assert((await raw('getMaxShredInsertSlot')) >= 0, 'slot'));

await check('onSlotChange (slotSubscribe)', async () => {
  let id;
  const slot = await within(15000, 'slot notification', (resolve) => { id = connection.onSlotChange(resolve); });
  assert(slot.slot > slot.parent && slot.root <= slot.slot, JSON.stringify(slot));
  await connection.removeSlotChangeListener(id);
});

// Watched over the WebSocket before the airdrops change it (accountSubscribe, confirmed).
let accountSeen = null;
const accountChanged = new Promise((resolve) => {
  accountSeen = connection.onAccountChange(recipient, (info, context) => {
    if (info.lamports === 5_000_000) resolve({ info, context });
  }, { commitment: 'confirmed', encoding: 'base64' });
});

// Two airdrops to a fresh address: the transactions the rest reads.
const first = await check('requestAirdrop', () => connection.requestAirdrop(recipient, 2_000_000));
const second = await check('requestAirdrop (again)', () => connection.requestAirdrop(recipient, 3_000_000));
const status = await check('getSignatureStatuses until confirmed', async () => { await confirmed(first); return confirmed(second); });
await check('onAccountChange (accountSubscribe)', async () => {
  const { info, context } = await within(30000, 'account notification with 5,000,000 lamports', (resolve, reject) => accountChanged.then(resolve, reject));
  assert(info.owner.equals(SystemProgram.programId) && info.data.length === 0 && context.slot > 0, JSON.stringify(info));
  await connection.removeAccountChangeListener(accountSeen);
});
await check('confirmTransaction (signatureSubscribe, confirmed)', async () => {
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
  const signature = await connection.requestAirdrop(third, 1_000_000);
  const { value } = await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, 'confirmed');
  assert(value.err === null, JSON.stringify(value.err));
});
await check('onSignature (signatureSubscribe, finalized)', async () => {
  const signature = await connection.requestAirdrop(third, 1_000_000);
  const result = await within(60000, 'signature notification', (resolve) => connection.onSignature(signature, resolve, 'finalized'));
  assert(result.err === null, JSON.stringify(result.err));
  const { value } = await connection.getSignatureStatuses([signature]);
  assert(value[0].confirmationStatus === 'finalized', `notified before finalized: ${value[0].confirmationStatus}`);
});
await check('getBalance', async () => assert((await connection.getBalance(recipient)) === 5_000_000, 'balance'));
await check('getAccountInfo', async () => {
  const info = await connection.getAccountInfo(recipient);
  assert(info.lamports === 5_000_000 && info.owner.equals(SystemProgram.programId), 'account');
});
await check('getMultipleAccountsInfo', async () => {
  const [a, b] = await connection.getMultipleAccountsInfo([recipient, other]);
  assert(a.lamports === 5_000_000 && b === null, 'accounts');
});

const tx = await check('getTransaction (json)', async () => {
  const t = await connection.getTransaction(first, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
  assert(t.meta.err === null && t.version === 'legacy', `err ${JSON.stringify(t.meta.err)} version ${t.version}`);
  assert(t.meta.postBalances[1] === 2_000_000 && t.meta.logMessages.length === 2, 'meta');
  assert(t.transaction.message.staticAccountKeys[1].equals(recipient), 'keys');
  return t;
});
await check('getParsedTransaction (jsonParsed)', async () => {
  const t = await connection.getParsedTransaction(second, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
  const ix = t.transaction.message.instructions[0];
  assert(ix.program === 'system' && ix.parsed.type === 'transfer' && ix.parsed.info.lamports === 3_000_000, JSON.stringify(ix));
});
await check('getSignaturesForAddress (paged)', async () => {
  const page1 = await connection.getSignaturesForAddress(recipient, { limit: 1 }, 'confirmed');
  const page2 = await connection.getSignaturesForAddress(recipient, { limit: 1, before: page1[0].signature }, 'confirmed');
  assert(page1[0].signature === second && page2[0].signature === first, `${page1[0]?.signature} ${page2[0]?.signature}`);
});

const slot = tx ? tx.slot : status.slot;
await check('getBlock', async () => {
  const block = await connection.getBlock(slot, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
  assert(block.transactions.some((t) => t.transaction.signatures[0] === first), 'airdrop not in its block');
});
await check('getBlockSignatures (transactionDetails: signatures)', async () => {
  const block = await connection.getBlockSignatures(slot, 'confirmed');
  assert(block.signatures.includes(first), 'signature not in its block');
});
await check('getBlock (transactionDetails: accounts)', async () => {
  const block = await connection.getBlock(slot, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, transactionDetails: 'accounts' });
  assert(block.transactions.some((t) => t.transaction.signatures[0] === first), 'airdrop not in its block');
});
await check('getBlock (transactionDetails: none, rewards: false)', async () => {
  const block = await connection.getBlock(slot, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, transactionDetails: 'none', rewards: false });
  assert(block.blockhash.length > 0 && block.transactions === undefined, 'shape');
});
await check('getParsedBlock', async () => {
  const block = await connection.getParsedBlock(slot, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
  assert(block.transactions.length > 0, 'no transactions');
});
await check('getBlockTime', async () => assert((await connection.getBlockTime(slot)) > 1_600_000_000, 'time'));
await check('getBlocks', async () => assert((await connection.getBlocks(Math.max(0, slot - 5), slot, 'confirmed')).includes(slot), 'slot missing'));
await check('getBlocksWithLimit (raw)', async () => assert((await raw('getBlocksWithLimit', [slot, 1, { commitment: 'confirmed' }]))[0] === slot, 'slot missing'));
await check('getBlockCommitment (raw)', async () => assert((await raw('getBlockCommitment', [slot])).totalStake > 0, 'stake'));
await check('getFirstAvailableBlock', async () => assert((await connection.getFirstAvailableBlock()) <= slot, 'first'));
await check('getMinimumLedgerSlot', async () => assert((await connection.getMinimumLedgerSlot()) <= slot, 'minimum'));
await check('getRecentPerformanceSamples', async () => assert(Array.isArray(await connection.getRecentPerformanceSamples(5)), 'samples'));
await check('getRecentPrioritizationFees', async () => {
  const fees = await connection.getRecentPrioritizationFees({ lockedWritableAccounts: [recipient] });
  assert(fees.length > 0 && fees.every((f) => f.prioritizationFee === 0), 'fees');
});
await check('getFeeForMessage', async () => {
  const { blockhash } = await connection.getLatestBlockhash();
  const message = new TransactionMessage({
    payerKey: recipient,
    recentBlockhash: blockhash,
    instructions: [SystemProgram.transfer({ fromPubkey: recipient, toPubkey: other, lamports: 1 })],
  }).compileToLegacyMessage();
  assert((await connection.getFeeForMessage(message)).value === 5000, 'fee');
});

console.log(`web3.js: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
