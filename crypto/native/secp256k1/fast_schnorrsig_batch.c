/*
 * BIP-340 batch verification for Fast (see fast_schnorrsig_batch.h). This file is the single
 * compilation unit of libsecp256k1 0.2.0 (its src/secp256k1.c is included below, with the
 * schnorrsig and extrakeys modules enabled by the build's -D flags) plus our batch entry points,
 * which need the library's internal field, group, scalar, hash and multi-scalar-multiplication code.
 */
#include <stdint.h>
#include <stdlib.h>

#include "secp256k1.c"
#include "fast_schnorrsig_batch.h"

#if !defined(ENABLE_MODULE_SCHNORRSIG) || !defined(ENABLE_MODULE_EXTRAKEYS)
#error "libsecp256k1 must be built with the schnorrsig and extrakeys modules"
#endif

struct fast_schnorrsig_batch_scratch {
    size_t capacity;
    secp256k1_scratch* multi;  /* the scratch space secp256k1_ecmult_multi_var works in */
    secp256k1_ge* points;      /* R_1..R_n, then P_1..P_n */
    secp256k1_scalar* scalars; /* a_1..a_n, then a_1 e_1..a_n e_n */
};

/* Domain tag of the seed hash, so the weights of this scheme are never another hash's output. */
static const unsigned char fast_batch_seed_tag[] = "Fast/BIP0340/batch-weights/v2";

/* The batch's SHA-256: the kernel's SHA-NI compression where the CPU has it (fast_secp_sha256.c),
 * else libsecp256k1's own; same function, same digests, about 5x faster per block on SHA-NI. */
extern int fast_secp_has_shani(void);
extern void fast_secp_sha256_compress_shani(uint32_t state[8], const unsigned char* blocks, size_t nblocks);

static int fast_batch_shani = -1; /* -1: not asked yet (a race on first use is harmless: every answer is the same) */

static void fast_batch_compress(uint32_t* s, const unsigned char* blocks, size_t n) {
    if (fast_batch_shani < 0) fast_batch_shani = fast_secp_has_shani();
    if (fast_batch_shani) {
        fast_secp_sha256_compress_shani(s, blocks, n);
        return;
    }
    for (; n != 0; n--, blocks += 64) secp256k1_sha256_transform(s, blocks);
}

/* secp256k1_sha256_write over fast_batch_compress; whole blocks are hashed straight from the input. */
static void fast_batch_sha256_write(secp256k1_sha256* hash, const unsigned char* data, size_t len) {
    size_t bufsize = (size_t)(hash->bytes & 0x3F);
    hash->bytes += len;
    if (bufsize != 0) {
        size_t fill = 64 - bufsize;
        if (len < fill) {
            memcpy(hash->buf + bufsize, data, len);
            return;
        }
        memcpy(hash->buf + bufsize, data, fill);
        fast_batch_compress(hash->s, hash->buf, 1);
        data += fill;
        len -= fill;
    }
    if (len >= 64) {
        fast_batch_compress(hash->s, data, len / 64);
        data += len & ~(size_t)63;
        len &= 63;
    }
    if (len != 0) memcpy(hash->buf, data, len);
}

/* secp256k1_sha256_finalize over fast_batch_sha256_write. */
static void fast_batch_sha256_finalize(secp256k1_sha256* hash, unsigned char* out32) {
    static const unsigned char pad[64] = {0x80};
    unsigned char sizedesc[8];
    int i;
    secp256k1_write_be32(&sizedesc[0], (uint32_t)(hash->bytes >> 29));
    secp256k1_write_be32(&sizedesc[4], (uint32_t)(hash->bytes << 3));
    fast_batch_sha256_write(hash, pad, 1 + ((119 - (hash->bytes % 64)) % 64));
    fast_batch_sha256_write(hash, sizedesc, 8);
    for (i = 0; i < 8; i++) secp256k1_write_be32(&out32[4 * i], hash->s[i]);
}

/* BIP-340's challenge e = int(hash_BIP0340/challenge(r || pk || m)) mod n, as secp256k1_schnorrsig_challenge, on the batch's SHA-256. */
static void fast_batch_challenge(secp256k1_scalar* e, const unsigned char* r32, const unsigned char* msg, size_t msglen, const unsigned char* pubkey32) {
    unsigned char buf[32];
    secp256k1_sha256 sha;
    secp256k1_schnorrsig_sha256_tagged(&sha);
    fast_batch_sha256_write(&sha, r32, 32);
    fast_batch_sha256_write(&sha, pubkey32, 32);
    if (msglen != 0) fast_batch_sha256_write(&sha, msg, msglen);
    fast_batch_sha256_finalize(&sha, buf);
    secp256k1_scalar_set_b32(e, buf, NULL);
}

static void fast_write_le64(unsigned char* out, uint64_t v) {
    int i;
    for (i = 0; i < 8; i++) out[i] = (unsigned char)(v >> (8 * i));
}

/* a_i = the last 16 bytes of SHA256(seed || i || counter), a 128-bit weight in [1, 2^128), for the
 * smallest counter that gives a nonzero one (a retry happens with probability 2^-128). 128-bit weights
 * (as in Bernstein et al.'s batch verification of Ed25519) keep a forged batch's chance of passing at
 * 2^-128 per attempt — secp256k1's security level — and halve the R_i terms' work in the multi-scalar
 * multiplication: after the endomorphism split a 128-bit scalar has one nonzero half, not two. */
static void fast_batch_weight(secp256k1_scalar* a, const unsigned char* seed32, uint64_t i) {
    unsigned char block[48];
    unsigned char out[32];
    uint64_t counter = 0;
    int overflow;
    memcpy(block, seed32, 32);
    fast_write_le64(block + 32, i);
    for (;;) {
        secp256k1_sha256 sha;
        fast_write_le64(block + 40, counter++);
        secp256k1_sha256_initialize(&sha);
        fast_batch_sha256_write(&sha, block, sizeof(block));
        fast_batch_sha256_finalize(&sha, out);
        memset(out, 0, 16);
        secp256k1_scalar_set_b32(a, out, &overflow); /* below 2^128: never overflows */
        if (!secp256k1_scalar_is_zero(a)) return;
    }
}

static int fast_batch_point(secp256k1_scalar* sc, secp256k1_ge* pt, size_t idx, void* data) {
    const fast_schnorrsig_batch_scratch* scratch = (const fast_schnorrsig_batch_scratch*)data;
    *sc = scratch->scalars[idx];
    *pt = scratch->points[idx];
    return 1;
}

/* True when the multi-scalar multiplication over `points` points runs in one pass in `multi`. */
static int fast_batch_scratch_fits(const secp256k1_callback* cb, secp256k1_scratch* multi, size_t points) {
    if (secp256k1_pippenger_max_points(cb, multi) < points) return 0;
    if (points < ECMULT_PIPPENGER_THRESHOLD && secp256k1_strauss_max_points(cb, multi) < points) return 0;
    return 1;
}

fast_schnorrsig_batch_scratch* fast_schnorrsig_batch_scratch_create(const secp256k1_context* ctx, size_t capacity) {
    fast_schnorrsig_batch_scratch* scratch;
    size_t points = 2 * capacity;
    size_t size, strauss, pippenger;
    int attempt;

    if (ctx == NULL || capacity == 0 || capacity > FAST_SCHNORRSIG_BATCH_MAX) return NULL;
    scratch = (fast_schnorrsig_batch_scratch*)calloc(1, sizeof(*scratch));
    if (scratch == NULL) return NULL;
    scratch->capacity = capacity;
    scratch->points = (secp256k1_ge*)malloc(points * sizeof(secp256k1_ge));
    scratch->scalars = (secp256k1_scalar*)malloc(points * sizeof(secp256k1_scalar));
    if (scratch->points == NULL || scratch->scalars == NULL) {
        fast_schnorrsig_batch_scratch_destroy(ctx, scratch);
        return NULL;
    }

    strauss = secp256k1_strauss_scratch_size(points);
    pippenger = secp256k1_pippenger_scratch_size(points, secp256k1_pippenger_bucket_window(points));
    size = (strauss > pippenger ? strauss : pippenger) + 64 * ALIGNMENT;
    for (attempt = 0; attempt < 8; attempt++, size *= 2) {
        scratch->multi = secp256k1_scratch_create(&ctx->error_callback, size);
        if (scratch->multi == NULL) break;
        if (fast_batch_scratch_fits(&ctx->error_callback, scratch->multi, points)) return scratch;
        secp256k1_scratch_destroy(&ctx->error_callback, scratch->multi);
        scratch->multi = NULL;
    }
    fast_schnorrsig_batch_scratch_destroy(ctx, scratch);
    return NULL;
}

void fast_schnorrsig_batch_scratch_destroy(const secp256k1_context* ctx, fast_schnorrsig_batch_scratch* scratch) {
    if (scratch == NULL) return;
    if (scratch->multi != NULL && ctx != NULL) secp256k1_scratch_destroy(&ctx->error_callback, scratch->multi);
    free(scratch->points);
    free(scratch->scalars);
    free(scratch);
}

int fast_schnorrsig_verify_batch(const secp256k1_context* ctx, fast_schnorrsig_batch_scratch* scratch,
                                 const unsigned char* const* sigs, const unsigned char* const* msgs,
                                 const size_t* msglens, const unsigned char* const* pubkeys, size_t n) {
    return fast_schnorrsig_verify_batch_parsed(ctx, scratch, sigs, msgs, msglens, pubkeys, NULL, n);
}

int fast_schnorrsig_verify_batch_parsed(const secp256k1_context* ctx, fast_schnorrsig_batch_scratch* scratch,
                                        const unsigned char* const* sigs, const unsigned char* const* msgs,
                                        const size_t* msglens, const unsigned char* const* pubkeys,
                                        const secp256k1_xonly_pubkey* const* parsed, size_t n) {
    secp256k1_sha256 sha;
    unsigned char seed[32];
    unsigned char len8[8];
    secp256k1_scalar sum_s;
    secp256k1_gej total;
    size_t i;

    if (ctx == NULL || scratch == NULL || n > scratch->capacity) return -1;
    if (n == 0) return 1;
    if (sigs == NULL || msglens == NULL || pubkeys == NULL) return -1;
    for (i = 0; i < n; i++) {
        if (sigs[i] == NULL || pubkeys[i] == NULL || (msglens[i] != 0 && (msgs == NULL || msgs[i] == NULL))) return -1;
    }

    /* The weights' seed commits to the whole batch: every public key, signature and message (with its
     * length, so the concatenation is unambiguous), in order (BIP-340: seed = hash(pk_1..pk_u, m_1..m_u, sig_1..sig_u)). */
    secp256k1_sha256_initialize(&sha);
    fast_batch_sha256_write(&sha, fast_batch_seed_tag, sizeof(fast_batch_seed_tag) - 1);
    fast_write_le64(len8, (uint64_t)n);
    fast_batch_sha256_write(&sha, len8, 8);
    for (i = 0; i < n; i++) {
        fast_batch_sha256_write(&sha, pubkeys[i], 32);
        fast_batch_sha256_write(&sha, sigs[i], 64);
        fast_write_le64(len8, (uint64_t)msglens[i]);
        fast_batch_sha256_write(&sha, len8, 8);
        if (msglens[i] != 0) fast_batch_sha256_write(&sha, msgs[i], msglens[i]);
    }
    fast_batch_sha256_finalize(&sha, seed);

    secp256k1_scalar_set_int(&sum_s, 0);
    for (i = 0; i < n; i++) {
        secp256k1_fe rx, px;
        secp256k1_scalar s, e, a;
        int overflow;

        /* The same rejections as secp256k1_schnorrsig_verify and xonly_pubkey_parse: r >= p, s >= n,
         * a public key or an r that is not the x of a curve point. R = lift_x(r) (even y). */
        if (!secp256k1_fe_set_b32(&rx, &sigs[i][0])) return 0;
        secp256k1_scalar_set_b32(&s, &sigs[i][32], &overflow);
        if (overflow) return 0;
        if (parsed != NULL && parsed[i] != NULL) {
            /* Already lifted by xonly_pubkey_parse (the caller's cache of recent keys): a load, not a square root. */
            if (!secp256k1_xonly_pubkey_load(ctx, &scratch->points[n + i], parsed[i])) return 0;
        } else {
            if (!secp256k1_fe_set_b32(&px, pubkeys[i])) return 0;
            if (!secp256k1_ge_set_xo_var(&scratch->points[n + i], &px, 0)) return 0;
        }
        if (!secp256k1_ge_set_xo_var(&scratch->points[i], &rx, 0)) return 0;

        fast_batch_challenge(&e, &sigs[i][0], msglens[i] != 0 ? msgs[i] : NULL, msglens[i], pubkeys[i]);

        if (i == 0) secp256k1_scalar_set_int(&a, 1);
        else fast_batch_weight(&a, seed, (uint64_t)i);

        scratch->scalars[i] = a;
        secp256k1_scalar_mul(&scratch->scalars[n + i], &a, &e);
        secp256k1_scalar_mul(&s, &s, &a);
        secp256k1_scalar_add(&sum_s, &sum_s, &s);
    }

    /* total = (-sum a_i s_i) G + sum a_i R_i + sum a_i e_i P_i; the batch holds iff it is infinity. */
    secp256k1_scalar_negate(&sum_s, &sum_s);
    if (!secp256k1_ecmult_multi_var(&ctx->error_callback, scratch->multi, &total, &sum_s, fast_batch_point, scratch, 2 * n)) {
        return -1;
    }
    return secp256k1_gej_is_infinity(&total);
}

/* The load generator's variable-time batch signer shares this unit's internals and SHA-256 helpers. */
#include "fast_schnorrsig_sign_vartime.c"
