/*
 * sha256_chain_many.c — many independent SHA-256 chains at once: the proof-of-history verifier's
 * inner loop. Every entry of a slot is its own chain once its start hash (the previous entry's
 * claimed hash) is known, so the verifier hands the kernel a batch of (hash, count) tasks and the
 * kernel keeps up to FAST_SHA256_CHAIN_LANES of them in flight, interleaving their rounds.
 *
 * Why interleave: one chain is bound by the latency of sha256rnds2 (each round needs the previous
 * one's result), but the SHA unit accepts a new rnds2 before the last one finishes. With 2..4
 * independent chains in one instruction stream the unit's throughput becomes the limit.
 * Measured on this machine (AMD EPYC Zen 4, gcc -O3, millions of 32-byte hashes per second on
 * one core): 1 lane 27.6, 2 lanes 51.0, 3 lanes 59.8, 4 lanes 60.9, 5 lanes 58.7, 8 lanes 56.9
 * (beyond 4 the 16 XMM registers the legacy-encoded SHA instructions can use spill to memory).
 *
 * Lanes are refilled as chains finish (tasks may have any count), and when fewer tasks than
 * lanes remain the loop drops to a narrower specialisation instead of hashing idle lanes.
 */
#include <immintrin.h>
#include <string.h>

#include "fast_crypto.h"
#include "sha256_internal.h"

#define SHANI __attribute__((target("sha,sse4.1,ssse3")))
#define SHANI_INLINE __attribute__((target("sha,sse4.1,ssse3"), always_inline)) static inline

SHANI_INLINE __m128i bswap_mask(void)
{
    return _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
}

/* FIPS word order (a..h) -> the ABEF / CDGH register pair sha256rnds2 works on. */
SHANI_INLINE void to_abef_cdgh(__m128i dcba, __m128i hgfe, __m128i *abef, __m128i *cdgh)
{
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    *abef = _mm_alignr_epi8(cdab, efgh, 8);
    *cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
}

/* The inverse: ABEF / CDGH -> (a,b,c,d), (e,f,g,h) with a in lane 0. */
SHANI_INLINE void from_abef_cdgh(__m128i abef, __m128i cdgh, __m128i *dcba, __m128i *hgfe)
{
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    *dcba = _mm_blend_epi16(feba, dchg, 0xF0);
    *hgfe = _mm_alignr_epi8(dchg, feba, 8);
}

/*
 * n links of L interleaved chains. w0[l], w1[l] hold chain l's current value as message words
 * W0..W3, W4..W7 (big-endian words, lane 0 = lowest index) and are updated in place. L is a
 * compile-time constant at every call site, so the lane loops unroll and the state stays in
 * registers (as far as 16 XMM registers go).
 */
SHANI_INLINE void chain_lanes(const int L, __m128i *w0, __m128i *w1, uint64_t n)
{
    __m128i iv0, iv1;
    to_abef_cdgh(_mm_loadu_si128((const __m128i *)&fast_sha256_iv[0]), _mm_loadu_si128((const __m128i *)&fast_sha256_iv[4]), &iv0, &iv1);
    /* A 32-byte message: W8 = 0x80000000, W15 = 256 (bits), W9..W14 = 0. */
    const __m128i pad0 = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
    const __m128i pad1 = _mm_set_epi32(256, 0, 0, 0);

    __m128i a[FAST_SHA256_CHAIN_LANES], b[FAST_SHA256_CHAIN_LANES];
    for (int l = 0; l < L; l++) {
        a[l] = w0[l];
        b[l] = w1[l];
    }

    for (uint64_t it = 0; it < n; it++) {
        __m128i s0[FAST_SHA256_CHAIN_LANES], s1[FAST_SHA256_CHAIN_LANES], m[FAST_SHA256_CHAIN_LANES][4];
#pragma GCC unroll 4
        for (int l = 0; l < L; l++) {
            s0[l] = iv0;
            s1[l] = iv1;
            m[l][0] = a[l];
            m[l][1] = b[l];
            m[l][2] = pad0;
            m[l][3] = pad1;
        }
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++) {
            const __m128i k = _mm_loadu_si128((const __m128i *)&fast_sha256_k[4 * i]);
#pragma GCC unroll 4
            for (int l = 0; l < L; l++) {
                __m128i w;
                if (i < 4) {
                    w = m[l][i];
                } else {
                    __m128i t = _mm_sha256msg1_epu32(m[l][(i - 4) & 3], m[l][(i - 3) & 3]);
                    t = _mm_add_epi32(t, _mm_alignr_epi8(m[l][(i - 1) & 3], m[l][(i - 2) & 3], 4));
                    w = _mm_sha256msg2_epu32(t, m[l][(i - 1) & 3]);
                    m[l][i & 3] = w;
                }
                __m128i wk = _mm_add_epi32(w, k);
                s1[l] = _mm_sha256rnds2_epu32(s1[l], s0[l], wk);
                wk = _mm_shuffle_epi32(wk, 0x0E);
                s0[l] = _mm_sha256rnds2_epu32(s0[l], s1[l], wk);
            }
        }
        /* The digest words are the next link's message words W0..W7. */
#pragma GCC unroll 4
        for (int l = 0; l < L; l++) from_abef_cdgh(_mm_add_epi32(s0[l], iv0), _mm_add_epi32(s1[l], iv1), &a[l], &b[l]);
    }

    for (int l = 0; l < L; l++) {
        w0[l] = a[l];
        w1[l] = b[l];
    }
}

SHANI static void chain_lanes_1(__m128i *w0, __m128i *w1, uint64_t n) { chain_lanes(1, w0, w1, n); }
SHANI static void chain_lanes_2(__m128i *w0, __m128i *w1, uint64_t n) { chain_lanes(2, w0, w1, n); }
SHANI static void chain_lanes_3(__m128i *w0, __m128i *w1, uint64_t n) { chain_lanes(3, w0, w1, n); }
SHANI static void chain_lanes_4(__m128i *w0, __m128i *w1, uint64_t n) { chain_lanes(4, w0, w1, n); }

SHANI static void chain_many_shani(uint8_t *hashes, const uint64_t *counts, size_t n, int max_lanes)
{
    const __m128i mask = bswap_mask();
    __m128i w0[FAST_SHA256_CHAIN_LANES], w1[FAST_SHA256_CHAIN_LANES];
    uint64_t remaining[FAST_SHA256_CHAIN_LANES];
    size_t task[FAST_SHA256_CHAIN_LANES];
    int active = 0;
    size_t next = 0;

    for (;;) {
        /* Refill free lanes with the next tasks that have work. */
        while (active < max_lanes && next < n) {
            if (counts[next] != 0) {
                const uint8_t *h = hashes + 32 * next;
                w0[active] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(h + 0)), mask);
                w1[active] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(h + 16)), mask);
                remaining[active] = counts[next];
                task[active] = next;
                active++;
            }
            next++;
        }
        if (active == 0) return;

        uint64_t step = remaining[0];
        for (int l = 1; l < active; l++) {
            if (remaining[l] < step) step = remaining[l];
        }
        switch (active) {
        case 1: chain_lanes_1(w0, w1, step); break;
        case 2: chain_lanes_2(w0, w1, step); break;
        case 3: chain_lanes_3(w0, w1, step); break;
        default: chain_lanes_4(w0, w1, step); break;
        }

        /* Retire finished chains; the last active lane moves into the hole. */
        for (int l = 0; l < active; l++) remaining[l] -= step;
        for (int l = 0; l < active;) {
            if (remaining[l] != 0) {
                l++;
                continue;
            }
            uint8_t *h = hashes + 32 * task[l];
            _mm_storeu_si128((__m128i *)(h + 0), _mm_shuffle_epi8(w0[l], mask));
            _mm_storeu_si128((__m128i *)(h + 16), _mm_shuffle_epi8(w1[l], mask));
            active--;
            w0[l] = w0[active];
            w1[l] = w1[active];
            remaining[l] = remaining[active];
            task[l] = task[active];
        }
    }
}

void fast_sha256_chain_many_portable(uint8_t *hashes, const uint64_t *counts, size_t n)
{
    for (size_t i = 0; i < n; i++) fast_sha256_chain_portable(hashes + 32 * i, counts[i]);
}

void fast_sha256_chain_many_lanes(uint8_t *hashes, const uint64_t *counts, size_t n, int max_lanes)
{
    if (max_lanes < 1) max_lanes = 1;
    if (max_lanes > FAST_SHA256_CHAIN_LANES) max_lanes = FAST_SHA256_CHAIN_LANES;
    if (fast_sha256_uses_shani()) chain_many_shani(hashes, counts, n, max_lanes);
    else fast_sha256_chain_many_portable(hashes, counts, n);
}

void fast_sha256_chain_many(uint8_t *hashes, const uint64_t *counts, size_t n)
{
    fast_sha256_chain_many_lanes(hashes, counts, n, FAST_SHA256_CHAIN_LANES);
}
