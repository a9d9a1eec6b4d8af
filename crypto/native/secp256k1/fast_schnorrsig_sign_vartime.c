/*
 * Variable-time BIP-340 batch signing for the load generator (see fast_schnorrsig_sign_vartime.h).
 * Not a compilation unit of its own: fast_schnorrsig_batch.c includes it after libsecp256k1's
 * src/secp256k1.c and its own SHA-256 helpers (fast_batch_sha256_write/_finalize, fast_batch_challenge).
 *
 * Where the time goes, per signature: libsecp256k1's constant-time signer computes k*G with 64
 * Jacobian additions over 4-bit windows, each scanning a whole 16-entry table row, then one field
 * inversion, and hashes on the portable SHA-256. Here k*G is at most 32 affine additions (one per
 * nonzero byte of k, from a 255-entry row per byte) made for the whole batch in lockstep, so each
 * window's slopes share one inversion (Montgomery's trick), and the nonce and challenge hashes run
 * on SHA-NI where the CPU has it.
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

/* r = r + p in affine coordinates, given 1 / (p.x - r.x) (the two x differ). Both inputs magnitude 1; so is the result. */
static void fast_affine_add(secp256k1_ge* r, const secp256k1_ge* p, const secp256k1_fe* dx_inv) {
    secp256k1_fe lambda, x3, y3, t;
    secp256k1_fe_negate(&t, &r->y, 1);
    secp256k1_fe_add(&t, &p->y);              /* p.y - r.y, magnitude 3 */
    secp256k1_fe_mul(&lambda, &t, dx_inv);    /* lambda = (p.y - r.y) / (p.x - r.x) */
    secp256k1_fe_sqr(&x3, &lambda);
    secp256k1_fe_negate(&t, &r->x, 1);
    secp256k1_fe_add(&x3, &t);
    secp256k1_fe_negate(&t, &p->x, 1);
    secp256k1_fe_add(&x3, &t);                /* x3 = lambda^2 - r.x - p.x, magnitude 5 */
    secp256k1_fe_normalize_weak(&x3);
    secp256k1_fe_negate(&t, &x3, 1);
    secp256k1_fe_add(&t, &r->x);              /* r.x - x3, magnitude 3 */
    secp256k1_fe_mul(&y3, &lambda, &t);
    secp256k1_fe_negate(&t, &r->y, 1);
    secp256k1_fe_add(&y3, &t);                /* y3 = lambda (r.x - x3) - r.y, magnitude 3 */
    secp256k1_fe_normalize_weak(&y3);
    r->x = x3;
    r->y = y3;
}

/* r[i] = k[i] * G for n scalars (variable time): one table point per nonzero byte of each k[i],
 * added window by window to all n accumulators at once in affine coordinates, the n slopes' inverses
 * from one field inversion per window (Montgomery's trick): ~5 multiplications and a square per
 * addition, against 11 for a Jacobian mixed addition and a final inversion per point. */
static void fast_fixed_base_mul_batch(const fast_fixed_base_table* table, secp256k1_ge* r, const secp256k1_scalar* k, size_t n) {
    unsigned char b[FAST_SCHNORRSIG_SIGN_BATCH_MAX][32];
    int started[FAST_SCHNORRSIG_SIGN_BATCH_MAX];
    secp256k1_ge p[FAST_SCHNORRSIG_SIGN_BATCH_MAX];
    secp256k1_fe dx[FAST_SCHNORRSIG_SIGN_BATCH_MAX];
    secp256k1_fe prefix[FAST_SCHNORRSIG_SIGN_BATCH_MAX];
    size_t idx[FAST_SCHNORRSIG_SIGN_BATCH_MAX];
    size_t i, m;
    int w;
    for (i = 0; i < n; i++) {
        secp256k1_scalar_get_b32(b[i], &k[i]); /* big-endian: b[i][31] is the least significant byte */
        started[i] = 0;
    }
    for (w = 0; w < FAST_FB_WINDOWS; w++) {
        secp256k1_fe product = secp256k1_fe_one, inv;
        m = 0;
        for (i = 0; i < n; i++) {
            unsigned int d = b[i][31 - w];
            secp256k1_fe t;
            if (d == 0) continue;
            if (!started[i]) {
                secp256k1_ge_from_storage(&r[i], &table->points[w][d - 1]);
                started[i] = 1;
                continue;
            }
            secp256k1_ge_from_storage(&p[m], &table->points[w][d - 1]);
            secp256k1_fe_negate(&t, &r[i].x, 1);
            secp256k1_fe_add(&t, &p[m].x);
            if (secp256k1_fe_normalizes_to_zero_var(&t)) {
                /* r[i] = +-p: cannot happen for k < n (the partial sum is below d 2^(8w)), but never divide by zero. */
                secp256k1_gej acc;
                secp256k1_gej_set_ge(&acc, &r[i]);
                secp256k1_gej_add_ge_var(&acc, &acc, &p[m], NULL);
                secp256k1_ge_set_gej_var(&r[i], &acc);
                if (!r[i].infinity) {
                    secp256k1_fe_normalize_var(&r[i].x);
                    secp256k1_fe_normalize_var(&r[i].y);
                }
                continue;
            }
            dx[m] = t;
            prefix[m] = product;
            secp256k1_fe_mul(&product, &product, &t);
            idx[m] = i;
            m++;
        }
        if (m == 0) continue;
        secp256k1_fe_inv_var(&inv, &product);
        while (m-- > 0) {
            secp256k1_fe dx_inv;
            secp256k1_fe_mul(&dx_inv, &inv, &prefix[m]); /* 1 / dx[m] */
            secp256k1_fe_mul(&inv, &inv, &dx[m]);        /* 1 / (dx[0] ... dx[m - 1]) */
            fast_affine_add(&r[idx[m]], &p[m], &dx_inv);
        }
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
        memset(seckey, 0, sizeof(seckey));
        memset(nonce32, 0, sizeof(nonce32));
    }
    fast_fixed_base_mul_batch(table, r, k, n);

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
