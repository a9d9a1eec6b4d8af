/*
 * sha256_portable.c — FIPS 180-4 SHA-256 in plain C: the fallback for CPUs without SHA-NI and
 * the reference the SHA-NI path is tested against. Not the hot path on this machine.
 */
#include <string.h>

#include "fast_crypto.h"
#include "sha256_internal.h"

const uint32_t fast_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

const uint32_t fast_sha256_iv[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void fast_sha256_compress_portable(uint32_t state[8], const uint8_t *blocks, size_t nblocks)
{
    for (size_t b = 0; b < nblocks; b++, blocks += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++) w[i] = load_be32(blocks + 4 * i);
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b2 = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + fast_sha256_k[i] + w[i];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b2) ^ (a & c) ^ (b2 & c));
            h = g; g = f; f = e; e = d + t1;
            d = c; c = b2; b2 = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b2; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }
}

void fast_sha256_generic(fast_sha256_compress_fn compress, const uint8_t *data, size_t len, uint8_t out[32])
{
    uint32_t state[8];
    memcpy(state, fast_sha256_iv, sizeof state);

    size_t full = len / 64;
    if (full) compress(state, data, full);

    /* The tail: remaining bytes, 0x80, zeros, and the bit length big-endian — one or two blocks. */
    uint8_t tail[128];
    size_t rem = len - full * 64;
    memcpy(tail, data + full * 64, rem);
    tail[rem] = 0x80;
    size_t tail_len = rem + 1 + 8 <= 64 ? 64 : 128;
    memset(tail + rem + 1, 0, tail_len - rem - 1);
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    compress(state, tail, tail_len / 64);

    for (int i = 0; i < 8; i++) store_be32(out + 4 * i, state[i]);
}

void fast_sha256_portable(const uint8_t *data, size_t len, uint8_t out[32])
{
    fast_sha256_generic(fast_sha256_compress_portable, data, len, out);
}

void fast_sha256_chain_portable(uint8_t hash[32], uint64_t n)
{
    /* One 64-byte block per link: the 32-byte value, then fixed padding for a 256-bit message. */
    uint8_t block[64];
    memset(block + 32, 0, 32);
    block[32] = 0x80;
    block[62] = 0x01; /* length = 256 bits = 0x0100 */
    uint32_t state[8];
    for (uint64_t i = 0; i < n; i++) {
        memcpy(block, hash, 32);
        memcpy(state, fast_sha256_iv, sizeof state);
        fast_sha256_compress_portable(state, block, 1);
        for (int j = 0; j < 8; j++) store_be32(hash + 4 * j, state[j]);
    }
}

void fast_sha256_mixin_portable(const uint8_t prev[32], const uint8_t mixin[32], uint8_t out[32])
{
    uint8_t block[64];
    memcpy(block, prev, 32);
    memcpy(block + 32, mixin, 32);
    fast_sha256_portable(block, 64, out);
}
