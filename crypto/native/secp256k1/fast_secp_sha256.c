/*
 * The kernel's SHA-256 compression (crypto/native/sha256_shani.c, sha256_portable.c) built a second
 * time into libfastsecp256k1 under fast_secp_* names, so the batch verifier's hashing (the weights'
 * seed over the whole batch, the weights, the BIP-340 challenges) runs on SHA-NI where the CPU has it
 * instead of libsecp256k1's portable SHA-256, without either library depending on the other. Not
 * exported from the shared library (hidden visibility); the renamed symbols cannot clash with the
 * kernel's when both archives link into the NativeAOT binary.
 */
#define fast_sha256_compress_shani fast_secp_sha256_compress_shani
#define fast_sha256_chain_shani fast_secp_sha256_chain_shani
#define fast_sha256_mixin_shani fast_secp_sha256_mixin_shani
#define fast_sha256_compress_portable fast_secp_sha256_compress_portable
#define fast_sha256_chain_portable fast_secp_sha256_chain_portable
#define fast_sha256_mixin_portable fast_secp_sha256_mixin_portable
#define fast_sha256_portable fast_secp_sha256_portable
#define fast_sha256_generic fast_secp_sha256_generic
#define fast_sha256_k fast_secp_sha256_k
#define fast_sha256_iv fast_secp_sha256_iv

#include <cpuid.h>

#include "../sha256_portable.c"
#include "../sha256_shani.c"

/* 1 when the CPU has SHA-NI (with the SSSE3 and SSE4.1 it needs), as crypto/native/fast_crypto.c decides it. */
int fast_secp_has_shani(void)
{
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return ((ebx >> 29) & 1) && ssse3 && sse41;
}
