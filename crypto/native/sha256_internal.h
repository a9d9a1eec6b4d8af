/*
 * sha256_internal.h — shared pieces of the kernel's SHA-256 backends (not part of the C# surface).
 */
#ifndef FAST_SHA256_INTERNAL_H
#define FAST_SHA256_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

extern const uint32_t fast_sha256_k[64];
extern const uint32_t fast_sha256_iv[8];

/* Compresses nblocks 64-byte blocks into state (FIPS 180-4 word order: state[0] = a). */
typedef void (*fast_sha256_compress_fn)(uint32_t state[8], const uint8_t *blocks, size_t nblocks);

void fast_sha256_compress_portable(uint32_t state[8], const uint8_t *blocks, size_t nblocks);
void fast_sha256_compress_shani(uint32_t state[8], const uint8_t *blocks, size_t nblocks);

/* Full SHA-256 (padding included) over any compress function. */
void fast_sha256_generic(fast_sha256_compress_fn compress, const uint8_t *data, size_t len, uint8_t out[32]);

void fast_sha256_chain_shani(uint8_t hash[32], uint64_t n);
void fast_sha256_mixin_shani(const uint8_t prev[32], const uint8_t mixin[32], uint8_t out[32]);

#endif
