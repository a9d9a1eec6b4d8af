/*
 * fast_crypto.c — CPU feature detection and the run-time choice between the SHA-NI and portable
 * SHA-256 backends. The choice is made once (idempotent, so a race on first use is harmless).
 */
#include <cpuid.h>

#include "fast_crypto.h"
#include "sha256_internal.h"

static uint32_t detect_features(void)
{
    unsigned int eax, ebx, ecx, edx;
    uint32_t features = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1, osxsave = (ecx >> 27) & 1;

    unsigned int xcr0 = 0;
    if (osxsave) {
        unsigned int hi;
        __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(hi) : "c"(0));
    }
    int ymm_ok = (xcr0 & 0x6) == 0x6;
    int zmm_ok = ymm_ok && (xcr0 & 0xE0) == 0xE0;

    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        if (((ebx >> 29) & 1) && ssse3 && sse41) features |= FAST_CPU_SHA_NI;
        if ((ecx >> 8) & 1) features |= FAST_CPU_GFNI;
        if (((ebx >> 5) & 1) && ymm_ok) features |= FAST_CPU_AVX2;
        if (((ebx >> 16) & 1) && zmm_ok) features |= FAST_CPU_AVX512F;
        if (((ebx >> 30) & 1) && zmm_ok) features |= FAST_CPU_AVX512BW;
    }
    return features;
}

/* 0 = not yet detected; otherwise features | 0x80000000. */
static uint32_t g_features;

uint32_t fast_cpu_features(void)
{
    uint32_t f = __atomic_load_n(&g_features, __ATOMIC_RELAXED);
    if (f == 0) {
        f = detect_features() | 0x80000000u;
        __atomic_store_n(&g_features, f, __ATOMIC_RELAXED);
    }
    return f & 0x7fffffffu;
}

int fast_sha256_uses_shani(void)
{
    return (fast_cpu_features() & FAST_CPU_SHA_NI) != 0;
}

void fast_sha256_chain(uint8_t hash[32], uint64_t n)
{
    if (fast_sha256_uses_shani()) fast_sha256_chain_shani(hash, n);
    else fast_sha256_chain_portable(hash, n);
}

void fast_sha256_mixin(const uint8_t prev[32], const uint8_t mixin[32], uint8_t out[32])
{
    if (fast_sha256_uses_shani()) fast_sha256_mixin_shani(prev, mixin, out);
    else fast_sha256_mixin_portable(prev, mixin, out);
}

void fast_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    fast_sha256_generic(fast_sha256_uses_shani() ? fast_sha256_compress_shani : fast_sha256_compress_portable, data, len, out);
}
