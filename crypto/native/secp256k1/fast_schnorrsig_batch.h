/*
 * Fast's BIP-340 batch verification over libsecp256k1 0.2.0's internals. The library and this
 * module are one compilation unit (fast_schnorrsig_batch.c includes libsecp256k1's src/secp256k1.c),
 * built by crypto/native/FastNative.targets into libfastsecp256k1.{a,so}, which also exports the
 * library's own public API (secp256k1_*). Bound in C# by Fast.Crypto.Interop.Secp256k1Native.
 */
#ifndef FAST_SCHNORRSIG_BATCH_H
#define FAST_SCHNORRSIG_BATCH_H

#include <stddef.h>
#include "secp256k1.h"
#include "secp256k1_extrakeys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most signatures one batch scratch can be made for (each signature is two points). */
#define FAST_SCHNORRSIG_BATCH_MAX 65536

typedef struct fast_schnorrsig_batch_scratch fast_schnorrsig_batch_scratch;

/* A scratch for batches of up to `capacity` signatures: the multi-scalar multiplication's scratch
 * space plus the 2 * capacity points and scalars. Not thread-safe: one per thread. NULL when
 * capacity is 0 or above FAST_SCHNORRSIG_BATCH_MAX, or memory is short. */
SECP256K1_API fast_schnorrsig_batch_scratch* fast_schnorrsig_batch_scratch_create(
    const secp256k1_context* ctx, size_t capacity);

SECP256K1_API void fast_schnorrsig_batch_scratch_destroy(
    const secp256k1_context* ctx, fast_schnorrsig_batch_scratch* scratch);

/* Verifies n BIP-340 signatures at once (BIP-340, "Batch Verification"):
 *   (a_1 s_1 + ... + a_n s_n) G == a_1 R_1 + ... + a_n R_n + a_1 e_1 P_1 + ... + a_n e_n P_n
 * as one multi-scalar multiplication of 2n + 1 points (secp256k1_ecmult_multi_var: Strauss below
 * 88 points, Pippenger above). a_1 = 1; a_2..a_n are 128-bit, from SHA-256 in counter mode keyed
 * by a SHA-256 of every (public key, signature, message) in the batch, so they are deterministic and
 * unpredictable to whoever made any one signature (a batch holding an invalid signature passes with
 * probability 2^-128, secp256k1's security level).
 * sigs[i]: 64 bytes; pubkeys[i]: a 32-byte x-only public key; msgs[i]: msglens[i] bytes (NULL
 * allowed when the length is 0).
 * Returns 1 when every signature is valid, 0 when at least one is not (or a public key is not on
 * the curve, r >= p, s >= n), -1 on a usage error (NULL arguments, n above the scratch's capacity).
 * n = 0 returns 1. */
SECP256K1_API int fast_schnorrsig_verify_batch(
    const secp256k1_context* ctx,
    fast_schnorrsig_batch_scratch* scratch,
    const unsigned char* const* sigs,
    const unsigned char* const* msgs,
    const size_t* msglens,
    const unsigned char* const* pubkeys,
    size_t n);

/* The same check, with public keys the caller already parsed: when parsed is not NULL and parsed[i]
 * is not NULL, parsed[i] must be the secp256k1_xonly_pubkey_parse of pubkeys[i] (made with this
 * library in this process) and is loaded instead of lifting pubkeys[i] again — saving a field square
 * root per signature (about a sixth of the per-signature work of a batch of 256 here). pubkeys[i] is still hashed
 * (the challenge and the weights' seed). NULL entries are lifted from their bytes as above. */
SECP256K1_API int fast_schnorrsig_verify_batch_parsed(
    const secp256k1_context* ctx,
    fast_schnorrsig_batch_scratch* scratch,
    const unsigned char* const* sigs,
    const unsigned char* const* msgs,
    const size_t* msglens,
    const unsigned char* const* pubkeys,
    const secp256k1_xonly_pubkey* const* parsed,
    size_t n);

#ifdef __cplusplus
}
#endif

#endif
