/*
 * Fast's variable-time BIP-340 batch signer over libsecp256k1 0.2.0's internals, for keys whose
 * secrecy does not matter against a timing attacker on the same machine: the load generator's
 * throwaway accounts (fast bench-tps). Built into the same compilation unit as the batch verifier
 * (fast_schnorrsig_batch.c includes fast_schnorrsig_sign_vartime.c). Bound in C# by
 * Fast.Crypto.Interop.Secp256k1Native; used through Fast.Crypto.VariableTimeBatchSigner.
 *
 * Never sign with a key that guards value with this: the nonce point k*G is computed with table
 * lookups indexed by the nonce's bytes and additions that skip zero bytes, so its time and cache
 * footprint depend on the secret nonce. libsecp256k1's own secp256k1_schnorrsig_sign is the
 * constant-time signer; Fast's wallet, CLI, validator and faucet sign with that.
 */
#ifndef FAST_SCHNORRSIG_SIGN_VARTIME_H
#define FAST_SCHNORRSIG_SIGN_VARTIME_H

#include <stddef.h>
#include "secp256k1.h"
#include "secp256k1_extrakeys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most signatures one call signs (its working set lives on the stack, about 20 KiB). */
#define FAST_SCHNORRSIG_SIGN_BATCH_MAX 64

/* d * 2^(8w) * G for every byte position w (32) and nonzero byte d (255): 522,240 bytes, built in
 * a few milliseconds. Immutable once made: one table may be shared by every thread. */
typedef struct fast_fixed_base_table fast_fixed_base_table;

/* NULL when memory is short. */
SECP256K1_API fast_fixed_base_table* fast_fixed_base_table_create(void);

SECP256K1_API void fast_fixed_base_table_destroy(fast_fixed_base_table* table);

/* Signs n messages with BIP-340, exactly as secp256k1_schnorrsig_sign_custom with the default
 * nonce function and aux32[i] as its auxiliary data would (byte for byte; aux32 NULL, or aux32[i]
 * NULL, is all-zero auxiliary data, as BIP-340 allows), but computes each nonce point from the
 * table with variable-time additions and turns the n points affine with one field inversion.
 * sigs[i]: 64 bytes written; msgs[i]: msglens[i] bytes (NULL allowed when the length is 0).
 * The signatures are written only after every message has been read, so they may overlap them.
 * Returns 1 when every signature was made; 0 when a keypair was invalid or a nonce was zero (that
 * signature is 64 zero bytes, the others are valid); -1 on a usage error (NULL arguments, n above
 * FAST_SCHNORRSIG_SIGN_BATCH_MAX), when nothing is written. n = 0 returns 1. */
SECP256K1_API int fast_schnorrsig_sign_batch_vartime(
    const secp256k1_context* ctx,
    const fast_fixed_base_table* table,
    unsigned char* const* sigs,
    const unsigned char* const* msgs,
    const size_t* msglens,
    const secp256k1_keypair* const* keypairs,
    const unsigned char* const* aux32,
    size_t n);

#ifdef __cplusplus
}
#endif

#endif
