/*
 * reedsol_gfni.c — the Reed-Solomon multiply-accumulate kernel with GFNI on AVX-512: the inner loop
 * of encoding (parity = E_parity · data) and of recovery (missing = D · present) for shred FEC sets.
 *
 * Each output shard is a GF(2^8) linear combination of the k source shards. Shreds use the field
 * polynomial 0x11D, not GFNI's fixed AES polynomial (0x11B), so vgf2p8mulb cannot be used: every
 * coefficient c is instead handed in as the 8x8 bit matrix of "multiply by c" and applied with
 * vgf2p8affineqb (one instruction multiplies 64 bytes by a constant). The caller (C#,
 * ReedSolomonKernels) builds the matrices once per code, or per recovery into scratch space.
 *
 * Loop order: 64-byte column blocks outside, groups of up to 16 output rows inside, sources
 * innermost; the 16 accumulators stay in zmm registers, each source block is loaded once per group
 * and two products are folded into an accumulator with one vpternlogq. The last partial block is
 * handled with byte masks (no scalar tail, no reads past a shard).
 * Functions carry target attributes, so the file builds with baseline flags; the C# side only calls
 * in when fast_rs_gfni_supported() says yes.
 */
#include <immintrin.h>

#include "fast_crypto.h"

#define RS_GFNI __attribute__((target("gfni,avx512f,avx512bw")))
#define RS_GROUP 16

/* x times the coefficient whose bit matrix is at m: vgf2p8affineqb with the matrix as an embedded
 * {1to8} broadcast operand (one fused load-op; GCC emits a separate vpbroadcastq for the intrinsic). */
RS_GFNI static inline __m512i rs_mul(__m512i x, const uint64_t *m)
{
    __m512i r;
    __asm__("vgf2p8affineqb $0, %2%{1to8%}, %1, %0" : "=v"(r) : "v"(x), "m"(*m));
    return r;
}

int fast_rs_gfni_supported(void)
{
    uint32_t f = fast_cpu_features();
    uint32_t need = FAST_CPU_GFNI | FAST_CPU_AVX512F | FAST_CPU_AVX512BW;
    return (f & need) == need;
}

/* One block (64 bytes at `off`, `mask` selects the valid bytes) for R output rows. Matrices are
 * source-major: m[j * stride + r] multiplies source j into output r, so a group's R matrices for
 * one source are adjacent and every broadcast is a constant offset from one pointer. */
#define RS_DEFINE_GROUP(R)                                                                                  \
    RS_GFNI static void rs_group_##R(const uint64_t *m, size_t stride, size_t k, const uint8_t *const *src, \
                                     uint8_t *const *dst, size_t off, __mmask64 mask)                     \
    {                                                                                                       \
        __m512i acc[R];                                                                                     \
        __m512i x = _mm512_maskz_loadu_epi8(mask, src[0] + off);                                           \
        _Pragma("GCC unroll 16") for (int r = 0; r < R; r++)                                               \
            acc[r] = rs_mul(x, &m[r]);          \
        size_t j = 1;                                                                                       \
        for (; j + 1 < k; j += 2) {                                                                         \
            __m512i x0 = _mm512_maskz_loadu_epi8(mask, src[j] + off);                                      \
            __m512i x1 = _mm512_maskz_loadu_epi8(mask, src[j + 1] + off);                                  \
            _Pragma("GCC unroll 16") for (int r = 0; r < R; r++) {                                         \
                __m512i p0 = rs_mul(x0, &m[j * stride + r]);     \
                __m512i p1 = rs_mul(x1, &m[(j + 1) * stride + r]); \
                acc[r] = _mm512_ternarylogic_epi64(acc[r], p0, p1, 0x96);                                  \
            }                                                                                               \
        }                                                                                                   \
        if (j < k) {                                                                                        \
            __m512i x0 = _mm512_maskz_loadu_epi8(mask, src[j] + off);                                      \
            _Pragma("GCC unroll 16") for (int r = 0; r < R; r++)                                           \
                acc[r] = _mm512_xor_si512(acc[r],                                                           \
                    rs_mul(x0, &m[j * stride + r]));      \
        }                                                                                                   \
        _Pragma("GCC unroll 16") for (int r = 0; r < R; r++) _mm512_mask_storeu_epi8(dst[r] + off, mask, acc[r]); \
    }

RS_DEFINE_GROUP(1)
RS_DEFINE_GROUP(2)
RS_DEFINE_GROUP(3)
RS_DEFINE_GROUP(4)
RS_DEFINE_GROUP(5)
RS_DEFINE_GROUP(6)
RS_DEFINE_GROUP(7)
RS_DEFINE_GROUP(8)
RS_DEFINE_GROUP(9)
RS_DEFINE_GROUP(10)
RS_DEFINE_GROUP(11)
RS_DEFINE_GROUP(12)
RS_DEFINE_GROUP(13)
RS_DEFINE_GROUP(14)
RS_DEFINE_GROUP(15)
RS_DEFINE_GROUP(16)

typedef void (*rs_group_fn)(const uint64_t *, size_t, size_t, const uint8_t *const *, uint8_t *const *, size_t, __mmask64);

static const rs_group_fn rs_groups[RS_GROUP + 1] = {
    0, rs_group_1, rs_group_2, rs_group_3, rs_group_4, rs_group_5, rs_group_6, rs_group_7, rs_group_8,
    rs_group_9, rs_group_10, rs_group_11, rs_group_12, rs_group_13, rs_group_14, rs_group_15, rs_group_16,
};

RS_GFNI void fast_rs_gfni_mul(const uint64_t *matrices, size_t k, const uint8_t *const *src, size_t rows,
                              uint8_t *const *dst, size_t len)
{
    if (k == 0 || rows == 0 || len == 0) return;
    /* Split the rows into near-equal groups of at most 16 (32 rows: 16 + 16, 20 rows: 10 + 10). */
    size_t groups = (rows + RS_GROUP - 1) / RS_GROUP;
    size_t full = len & ~(size_t)63;
    for (size_t off = 0; off < len; off += 64) {
        __mmask64 mask = off < full ? ~(__mmask64)0 : (((__mmask64)1 << (len - off)) - 1);
        size_t r0 = 0;
        for (size_t g = 0; g < groups; g++) {
            size_t take = (rows - r0) / (groups - g);
            rs_groups[take](matrices + r0, rows, k, src, dst + r0, off, mask);
            r0 += take;
        }
    }
}
