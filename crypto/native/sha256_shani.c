/*
 * sha256_shani.c — SHA-256 with the x86 SHA extensions (SHA-NI): the proof-of-history hot loop.
 *
 * The chain keeps the whole link in XMM registers: a 32-byte value is one padded block, and the
 * digest words of one link are exactly the message words of the next, so no byte swapping or
 * memory traffic happens between links. Functions carry target attributes, so this file builds
 * with baseline flags and the dispatcher (fast_crypto.c) only calls in when CPUID says SHA-NI.
 */
#include <immintrin.h>
#include <string.h>

#include "fast_crypto.h"
#include "sha256_internal.h"

#define SHANI __attribute__((target("sha,sse4.1,ssse3")))

SHANI static inline __m128i bswap_mask(void)
{
    return _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
}

/* FIPS word order (a..h) -> the ABEF / CDGH register pair sha256rnds2 works on. */
SHANI static inline void to_abef_cdgh(__m128i dcba, __m128i hgfe, __m128i *abef, __m128i *cdgh)
{
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    *abef = _mm_alignr_epi8(cdab, efgh, 8);
    *cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
}

/* The inverse: ABEF / CDGH -> (a,b,c,d), (e,f,g,h) with a in lane 0. */
SHANI static inline void from_abef_cdgh(__m128i abef, __m128i cdgh, __m128i *dcba, __m128i *hgfe)
{
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    *dcba = _mm_blend_epi16(feba, dchg, 0xF0);
    *hgfe = _mm_alignr_epi8(dchg, feba, 8);
}

/* 64 rounds over message words m0..m3 (W0..W15, lane 0 = lowest index), updating abef/cdgh in place
 * without the final feed-forward add. */
SHANI static inline void rounds64(__m128i *abef, __m128i *cdgh, __m128i m0, __m128i m1, __m128i m2, __m128i m3)
{
    __m128i s0 = *abef, s1 = *cdgh;
    __m128i m[4] = { m0, m1, m2, m3 };
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) {
        __m128i w;
        if (i < 4) {
            w = m[i];
        } else {
            __m128i t = _mm_sha256msg1_epu32(m[(i - 4) & 3], m[(i - 3) & 3]);
            t = _mm_add_epi32(t, _mm_alignr_epi8(m[(i - 1) & 3], m[(i - 2) & 3], 4));
            w = _mm_sha256msg2_epu32(t, m[(i - 1) & 3]);
            m[i & 3] = w;
        }
        __m128i wk = _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)&fast_sha256_k[4 * i]));
        s1 = _mm_sha256rnds2_epu32(s1, s0, wk);
        wk = _mm_shuffle_epi32(wk, 0x0E);
        s0 = _mm_sha256rnds2_epu32(s0, s1, wk);
    }
    *abef = s0;
    *cdgh = s1;
}

SHANI void fast_sha256_compress_shani(uint32_t state[8], const uint8_t *blocks, size_t nblocks)
{
    const __m128i mask = bswap_mask();
    __m128i abef, cdgh;
    to_abef_cdgh(_mm_loadu_si128((const __m128i *)&state[0]), _mm_loadu_si128((const __m128i *)&state[4]), &abef, &cdgh);
    for (size_t b = 0; b < nblocks; b++, blocks += 64) {
        __m128i save0 = abef, save1 = cdgh;
        rounds64(&abef, &cdgh,
                 _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 0)), mask),
                 _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16)), mask),
                 _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 32)), mask),
                 _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 48)), mask));
        abef = _mm_add_epi32(abef, save0);
        cdgh = _mm_add_epi32(cdgh, save1);
    }
    __m128i dcba, hgfe;
    from_abef_cdgh(abef, cdgh, &dcba, &hgfe);
    _mm_storeu_si128((__m128i *)&state[0], dcba);
    _mm_storeu_si128((__m128i *)&state[4], hgfe);
}

SHANI void fast_sha256_chain_shani(uint8_t hash[32], uint64_t n)
{
    if (n == 0) return;
    const __m128i mask = bswap_mask();
    __m128i iv0, iv1;
    to_abef_cdgh(_mm_loadu_si128((const __m128i *)&fast_sha256_iv[0]), _mm_loadu_si128((const __m128i *)&fast_sha256_iv[4]), &iv0, &iv1);

    /* A 32-byte message: W0..W7 = the value, W8 = 0x80000000, W15 = 256 (bits), the rest 0. */
    __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(hash + 0)), mask);
    __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(hash + 16)), mask);
    const __m128i w2 = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
    const __m128i w3 = _mm_set_epi32(256, 0, 0, 0);

    for (uint64_t i = 0; i < n; i++) {
        __m128i abef = iv0, cdgh = iv1;
        rounds64(&abef, &cdgh, w0, w1, w2, w3);
        abef = _mm_add_epi32(abef, iv0);
        cdgh = _mm_add_epi32(cdgh, iv1);
        /* The digest words are the next link's message words W0..W7. */
        from_abef_cdgh(abef, cdgh, &w0, &w1);
    }
    _mm_storeu_si128((__m128i *)(hash + 0), _mm_shuffle_epi8(w0, mask));
    _mm_storeu_si128((__m128i *)(hash + 16), _mm_shuffle_epi8(w1, mask));
}

SHANI void fast_sha256_mixin_shani(const uint8_t prev[32], const uint8_t mixin[32], uint8_t out[32])
{
    const __m128i mask = bswap_mask();
    __m128i abef, cdgh;
    to_abef_cdgh(_mm_loadu_si128((const __m128i *)&fast_sha256_iv[0]), _mm_loadu_si128((const __m128i *)&fast_sha256_iv[4]), &abef, &cdgh);
    __m128i save0 = abef, save1 = cdgh;

    /* Block 1: prev || mixin. */
    rounds64(&abef, &cdgh,
             _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(prev + 0)), mask),
             _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(prev + 16)), mask),
             _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(mixin + 0)), mask),
             _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(mixin + 16)), mask));
    abef = _mm_add_epi32(abef, save0);
    cdgh = _mm_add_epi32(cdgh, save1);
    save0 = abef;
    save1 = cdgh;

    /* Block 2: padding only — W0 = 0x80000000, W15 = 512 (bits), the rest 0. */
    rounds64(&abef, &cdgh, _mm_set_epi32(0, 0, 0, (int)0x80000000u), _mm_setzero_si128(), _mm_setzero_si128(),
             _mm_set_epi32(512, 0, 0, 0));
    abef = _mm_add_epi32(abef, save0);
    cdgh = _mm_add_epi32(cdgh, save1);

    __m128i dcba, hgfe;
    from_abef_cdgh(abef, cdgh, &dcba, &hgfe);
    _mm_storeu_si128((__m128i *)(out + 0), _mm_shuffle_epi8(dcba, mask));
    _mm_storeu_si128((__m128i *)(out + 16), _mm_shuffle_epi8(hgfe, mask));
}
