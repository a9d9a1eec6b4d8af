/*
 * fast_crypto.h — the C kernel of Fast: SHA-256 for the proof-of-history chain, and the GFNI
 * Reed-Solomon kernel for shred FEC sets.
 *
 * C# has no SHA-NI intrinsics, so the hot hash loops live here and are called once per batch
 * (never once per hash) through [LibraryImport] in crypto/Fast.Crypto/Sha256Kernel.cs.
 * Every entry point has a portable twin (suffix _portable) with identical results; the plain
 * names pick SHA-NI at run time when the CPU has it.
 */
#ifndef FAST_CRYPTO_H
#define FAST_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CPU feature bits reported by fast_cpu_features(). */
#define FAST_CPU_SHA_NI  (1u << 0)
#define FAST_CPU_GFNI    (1u << 1)
#define FAST_CPU_AVX2    (1u << 2)
#define FAST_CPU_AVX512F (1u << 3)
#define FAST_CPU_AVX512BW (1u << 4)

uint32_t fast_cpu_features(void);

/* 1 when the SHA-NI path is in use by the dispatching entry points, else 0. */
int fast_sha256_uses_shani(void);

/* (a) hash[0..32) = sha256(hash) repeated n times. */
void fast_sha256_chain(uint8_t hash[32], uint64_t n);
void fast_sha256_chain_portable(uint8_t hash[32], uint64_t n);

/* (b) out = sha256(prev || mixin); out may alias prev or mixin. */
void fast_sha256_mixin(const uint8_t prev[32], const uint8_t mixin[32], uint8_t out[32]);
void fast_sha256_mixin_portable(const uint8_t prev[32], const uint8_t mixin[32], uint8_t out[32]);

/* (d) Many independent chains: for i in [0, n), hashes[32i..32i+32) = sha256(itself) counts[i]
 * times, in place (the PoH verifier's batch). The SHA-NI path interleaves up to max_lanes chains
 * (1..FAST_SHA256_CHAIN_LANES; the plain name uses the maximum); results equal n single chains. */
#define FAST_SHA256_CHAIN_LANES 4
void fast_sha256_chain_many(uint8_t *hashes, const uint64_t *counts, size_t n);
void fast_sha256_chain_many_lanes(uint8_t *hashes, const uint64_t *counts, size_t n, int max_lanes);
void fast_sha256_chain_many_portable(uint8_t *hashes, const uint64_t *counts, size_t n);

/* (c) out = sha256(data[0..len)). */
void fast_sha256(const uint8_t *data, size_t len, uint8_t out[32]);
void fast_sha256_portable(const uint8_t *data, size_t len, uint8_t out[32]);

/* Reed-Solomon over GF(2^8) (polynomial 0x11D), reedsol_gfni.c: for r < rows,
 * dst[r][0..len) = XOR over j < k of matrices[j*rows + r] applied to src[j][0..len) (source-major),
 * where each matrix is the 8x8 bit matrix (vgf2p8affineqb layout) of multiplying by one coefficient.
 * Needs GFNI + AVX-512BW: call only when fast_rs_gfni_supported() returns 1. dst must not alias src. */
int fast_rs_gfni_supported(void);
void fast_rs_gfni_mul(const uint64_t *matrices, size_t k, const uint8_t *const *src, size_t rows,
                      uint8_t *const *dst, size_t len);

#ifdef __cplusplus
}
#endif

#endif
