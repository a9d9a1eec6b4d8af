/*
 * Variable-time BIP-340 batch signing for the load generator (see fast_schnorrsig_sign_vartime.h).
 * Not a compilation unit of its own: fast_schnorrsig_batch.c includes it after libsecp256k1's
 * src/secp256k1.c and its own SHA-256 helpers (fast_batch_sha256_write/_finalize, fast_batch_challenge).
 *
 * Where the time goes, per signature: libsecp256k1's constant-time signer computes k*G with 64
 * additions over 4-bit windows, each scanning a whole 16-entry table row, then one field inversion,
 * and hashes on the portable SHA-256. Here k*G is at most 32 mixed additions (one per nonzero byte
 * of k, from a 255-entry row per byte), the batch's points go affine with one shared inversion
 * (Montgomery's trick), and the nonce and challenge hashes run on SHA-NI where the CPU has it.
 */
#include "fast_schnorrsig_sign_vartime.h"

#define FAST_FB_WINDOWS 32
#define FAST_FB_ENTRIES 255

struct fast_fixed_base_table {
    secp256k1_ge_storage points[FAST_FB_WINDOWS][FAST_FB_ENTRIES]; /* [w][d - 1] = d * 2^(8w) * G */
};

fast_fixed_base_table* fast_fixed_base_table_create(void) {
    fast_fixed_base_table* table = (fast_fixed_base_table*)malloc(sizeof(fast_fixed_base_table));
    secp256k1_gej* row = (secp256k1_gej*)malloc(sizeof(secp256k1_gej) * FAST_FB_ENTRIES);
    secp256k1_ge* affine = (secp256k1_ge*)malloc(sizeof(secp256k1_ge) * FAST_FB_ENTRIES);
    secp256k1_gej base;
    int w, d;
    if (table == NULL || row == NULL || affine == NULL) {
        free(table);
        free(row);
        free(affine);
        return NULL;
    }
    secp256k1_gej_set_ge(&base, &secp256k1_ge_const_g);
    for (w = 0; w < FAST_FB_WINDOWS; w++) {
        row[0] = base;
        for (d = 1; d < FAST_FB_ENTRIES; d++) secp256k1_gej_add_var(&row[d], &row[d - 1], &base, NULL);
        secp256k1_ge_set_all_gej_var(affine, row, FAST_FB_ENTRIES);
        for (d = 0; d < FAST_FB_ENTRIES; d++) secp256k1_ge_to_storage(&table->points[w][d], &affine[d]);
        for (d = 0; d < 8; d++) secp256k1_gej_double_var(&base, &base, NULL); /* base = 2^(8(w + 1)) G */
    }
    free(row);
    free(affine);
    return table;
}

void fast_fixed_base_table_destroy(fast_fixed_base_table* table) {
    free(table);
}

/* r = k * G: one table point per nonzero byte of k (variable time). */
static void fast_fixed_base_mul(const fast_fixed_base_table* table, secp256k1_gej* r, const secp256k1_scalar* k) {
    unsigned char b[32];
    secp256k1_ge p;
    int w;
    secp256k1_scalar_get_b32(b, k); /* big-endian: b[31] is the least significant byte */
    secp256k1_gej_set_infinity(r);
    for (w = 0; w < FAST_FB_WINDOWS; w++) {
        unsigned int d = b[31 - w];
        if (d == 0) continue;
        secp256k1_ge_from_storage(&p, &table->points[w][d - 1]);
        secp256k1_gej_add_ge_var(r, r, &p, NULL);
    }
}

/* BIP-340's default nonce (libsecp256k1's nonce_function_bip340 with the BIP-340 algorithm tag),
 * on the batch's SHA-256. aux32 NULL hashes 32 zero bytes, which is the constant libsecp256k1 uses. */
static void fast_sign_nonce(unsigned char* nonce32, const unsigned char* msg, size_t msglen, const unsigned char* key32, const unsigned char* pk32, const unsigned char* aux32) {
    static const unsigned char zero_aux[32] = {0};
    secp256k1_sha256 sha;
    unsigned char masked_key[32];
    int i;
    secp256k1_nonce_function_bip340_sha256_tagged_aux(&sha);
    fast_batch_sha256_write(&sha, aux32 != NULL ? aux32 : zero_aux, 32);
    fast_batch_sha256_finalize(&sha, masked_key);
    for (i = 0; i < 32; i++) masked_key[i] ^= key32[i];
    secp256k1_nonce_function_bip340_sha256_tagged(&sha);
    fast_batch_sha256_write(&sha, masked_key, 32);
    fast_batch_sha256_write(&sha, pk32, 32);
    if (msglen != 0) fast_batch_sha256_write(&sha, msg, msglen);
    fast_batch_sha256_finalize(&sha, nonce32);
    memset(masked_key, 0, sizeof(masked_key));
}

int fast_schnorrsig_sign_batch_vartime(
    const secp256k1_context* ctx,
    const fast_fixed_base_table* table,
    unsigned char* const* sigs,
    const unsigned char* const* msgs,
    const size_t* msglens,
    const secp256k1_keypair* const* keypairs,
    const unsigned char* const* aux32,
    size_t n) {
    secp256k1_scalar sk[FAST_SCHNORRSIG_SIGN_BATCH_MAX];
    secp256k1_scalar k[FAST_SCHNORRSIG_SIGN_BATCH_MAX];
    secp256k1_gej rj[FAST_SCHNORRSIG_SIGN_BATCH_MAX];
    secp256k1_ge r[FAST_SCHNORRSIG_SIGN_BATCH_MAX];
    unsigned char pk32[FAST_SCHNORRSIG_SIGN_BATCH_MAX][32];
    unsigned char out[FAST_SCHNORRSIG_SIGN_BATCH_MAX][64];
    int ok[FAST_SCHNORRSIG_SIGN_BATCH_MAX];
    int ret = 1;
    size_t i;

    if (n == 0) return 1;
    if (ctx == NULL || table == NULL || sigs == NULL || msgs == NULL || msglens == NULL || keypairs == NULL || n > FAST_SCHNORRSIG_SIGN_BATCH_MAX) return -1;
    for (i = 0; i < n; i++) {
        if (sigs[i] == NULL || keypairs[i] == NULL || (msgs[i] == NULL && msglens[i] != 0)) return -1;
    }

    for (i = 0; i < n; i++) {
        secp256k1_ge pk;
        unsigned char seckey[32];
        unsigned char nonce32[32];
        ok[i] = secp256k1_keypair_load(ctx, &sk[i], &pk, keypairs[i]);
        /* Signing for the x-only key: negate the secret when its point's y is odd. */
        if (secp256k1_fe_is_odd(&pk.y)) secp256k1_scalar_negate(&sk[i], &sk[i]);
        secp256k1_scalar_get_b32(seckey, &sk[i]);
        secp256k1_fe_get_b32(pk32[i], &pk.x);
        fast_sign_nonce(nonce32, msgs[i], msglens[i], seckey, pk32[i], aux32 != NULL ? aux32[i] : NULL);
        secp256k1_scalar_set_b32(&k[i], nonce32, NULL);
        if (secp256k1_scalar_is_zero(&k[i])) {
            ok[i] = 0;
            k[i] = secp256k1_scalar_one;
        }
        fast_fixed_base_mul(table, &rj[i], &k[i]);
        memset(seckey, 0, sizeof(seckey));
        memset(nonce32, 0, sizeof(nonce32));
    }
    secp256k1_ge_set_all_gej_var(r, rj, n);

    for (i = 0; i < n; i++) {
        secp256k1_scalar e;
        secp256k1_fe_normalize_var(&r[i].y);
        if (secp256k1_fe_is_odd(&r[i].y)) secp256k1_scalar_negate(&k[i], &k[i]);
        secp256k1_fe_normalize_var(&r[i].x);
        secp256k1_fe_get_b32(&out[i][0], &r[i].x);
        fast_batch_challenge(&e, &out[i][0], msgs[i], msglens[i], pk32[i]);
        secp256k1_scalar_mul(&e, &e, &sk[i]);
        secp256k1_scalar_add(&e, &e, &k[i]);
        secp256k1_scalar_get_b32(&out[i][32], &e);
        if (!ok[i]) {
            memset(out[i], 0, 64);
            ret = 0;
        }
        secp256k1_scalar_clear(&k[i]);
        secp256k1_scalar_clear(&sk[i]);
    }
    for (i = 0; i < n; i++) memcpy(sigs[i], out[i], 64);
    return ret;
}
