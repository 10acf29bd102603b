/*
 * mixdesk's compiled kernels: two inner loops that numpy can only run as
 * several passes over memory. Each has a numpy twin that gives the same
 * result (tests/qc/measure/test_native.py runs both on the same signals), used
 * when this file was not compiled.
 *
 * Built by hatch_build.py into _kernels.so when mixdesk is installed, loaded
 * with ctypes by qc/measure/native/__init__.py. Plain C99, no Python headers,
 * no -march flags: the same library serves any x86-64 or ARM machine.
 */
#include <math.h>
#include <stdint.h>

#ifndef MIXDESK_KERNELS_HASH
#define MIXDESK_KERNELS_HASH "unknown"
#endif

/* The SHA-256 of this file when it was compiled (the loader refuses a stale build). */
const char *mixdesk_kernels_hash(void) { return MIXDESK_KERNELS_HASH; }

#define SCAN_CHUNK 32 /* values looked at together for a crest before one by one */
#define TP_CHUNK 512  /* input samples interpolated at a time (12 KiB of values: L1) */

static inline uint8_t sign_flags(float s) {
    return (uint8_t)((s <= 0.0f) | ((s >= 0.0f) << 1)); /* NaN: neither */
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
/* AVX2 and FMA where the machine has them, chosen when the library is loaded. */
#define MULTIVERSION __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define MULTIVERSION
#endif

typedef float v8f __attribute__((vector_size(32)));

#define MAX_HALF 64 /* the longest interpolator half width taken (16 is used) */

/*
 * Phases 1..3 of a 4x polyphase interpolator: out[p * TP_CHUNK + j] =
 * sum_k kernel[p * taps + k] * x[j + k], k ascending, for j < count. x holds
 * count + taps - 1 samples; count is a multiple of 8 (x and out are padded).
 */
MULTIVERSION static void interpolate3(const float *x, int64_t count, const float *kernel,
                                      int64_t taps, float *out) {
    for (int64_t j = 0; j < count; j += 8) {
        v8f a0 = {0}, a1 = {0}, a2 = {0};
        for (int64_t k = 0; k < taps; ++k) {
            v8f xv;
            __builtin_memcpy(&xv, x + j + k, sizeof xv); /* unaligned */
            a0 += kernel[k] * xv;
            a1 += kernel[taps + k] * xv;
            a2 += kernel[2 * taps + k] * xv;
        }
        __builtin_memcpy(out + j, &a0, sizeof a0);
        __builtin_memcpy(out + TP_CHUNK + j, &a1, sizeof a1);
        __builtin_memcpy(out + 2 * TP_CHUNK + j, &a2, sizeof a2);
    }
}

typedef struct {
    float t;          /* the least float >= the threshold */
    int64_t m;        /* crests found */
    uint8_t f;        /* signs seen since the last crest */
    int64_t *idx;
    float *around;
    uint8_t *flags;
} scan_state;

/* Crests among s[lo .. hi - 1] (s[lo - 1] and s[hi] exist); s[0] is value number base. */
static void scan_range(scan_state *st, const float *s, int64_t lo, int64_t hi, int64_t base) {
    const float t = st->t;
    int64_t i = lo;
    while (i < hi) {
        int64_t end = i + SCAN_CHUNK < hi ? i + SCAN_CHUNK : hi;
        if (end - i == SCAN_CHUNK) { /* most values are below the threshold: skip them */
            int hit = 0, down = 0, up = 0;
            for (int64_t j = i; j < end; ++j) {
                float v = s[j];
                hit |= fabsf(v) >= t;
                down |= v <= 0.0f;
                up |= v >= 0.0f;
            }
            if (!hit) {
                st->f |= (uint8_t)(down | (up << 1));
                i = end;
                continue;
            }
        }
        for (; i < end; ++i) {
            float v = s[i];
            float a = fabsf(v);
            if (a >= t && a >= fabsf(s[i - 1]) && !(fabsf(s[i + 1]) >= a)) {
                int64_t m = st->m++;
                st->flags[m] = st->f;
                st->idx[m] = base + i;
                st->around[3 * m] = s[i - 1];
                st->around[3 * m + 1] = v;
                st->around[3 * m + 2] = s[i + 1];
                st->f = 0;
            }
            st->f |= sign_flags(v);
        }
    }
}

/*
 * The accurate true-peak pass of one channel (qc.measure.truepeak): the 4x
 * values of a short interpolator and their crests, in one pass.
 *
 * The values form the sequence s = lead[0], lead[1], then for each input
 * sample j < frames its four phases: x[j + half] itself, then phases 1..3 of
 * the kernel. x: frames + 2 * half samples (half before the first, half after
 * the last). kernel: phases 1..3, 3 x (2 * half + 1), float32.
 *
 * A crest is an index i, 1 <= i <= n - 2 (n = 2 + 4 * frames), with
 * |s[i]| >= threshold, |s[i]| >= |s[i-1]| and not |s[i+1]| >= |s[i]|
 * (comparisons with NaN are false, as in numpy). The crests cut [0, n) into
 * stretches [0, i0), [i0, i1), ..., [i_last, n); flags[k] tells whether
 * stretch k holds a value <= 0 (bit 0) and a value >= 0 (bit 1).
 *
 * Writes idx[m], around[3m] (s[i-1], s[i], s[i+1]), flags[m + 1], and tail
 * (the last two values, s[n-2] and s[n-1]). Room needed: n / 2 + 2 of each
 * (three times that for around). Returns m, or -1 if half > MAX_HALF.
 */
int64_t mixdesk_truepeak_crests(const float *x, int64_t frames, const float *kernel,
                                int64_t half, const float *lead, double threshold,
                                int64_t *idx, float *around, uint8_t *flags, float *tail) {
    if (half < 0 || half > MAX_HALF) return -1;
    float t = (float)threshold; /* the least float >= threshold: a >= t <=> a >= threshold */
    if ((double)t < threshold) t = nextafterf(t, INFINITY);
    scan_state st = {t, 0, 0, idx, around, flags};
    const int64_t taps = 2 * half + 1;
    float phases[3 * TP_CHUNK];
    float s[2 + 4 * TP_CHUNK];
    float xpad[TP_CHUNK + 8 + 2 * MAX_HALF]; /* a short last chunk, padded to a multiple of 8 */
    s[0] = lead[0];
    s[1] = lead[1];
    st.f = sign_flags(s[0]);
    int64_t base = 0; /* the number of s[0] in the whole sequence */
    for (int64_t j0 = 0; j0 < frames; j0 += TP_CHUNK) {
        int64_t count = frames - j0 < TP_CHUNK ? frames - j0 : TP_CHUNK;
        int64_t padded = (count + 7) & ~(int64_t)7;
        const float *xs = x + j0;
        if (padded != count) {
            for (int64_t k = 0; k < padded + taps - 1; ++k)
                xpad[k] = k < count + taps - 1 ? xs[k] : 0.0f;
            xs = xpad;
        }
        interpolate3(xs, padded, kernel, taps, phases);
        for (int64_t j = 0; j < count; ++j) {
            float *o = s + 2 + 4 * j;
            o[0] = xs[j + half];
            o[1] = phases[j];
            o[2] = phases[TP_CHUNK + j];
            o[3] = phases[2 * TP_CHUNK + j];
        }
        int64_t len = 2 + 4 * count;
        scan_range(&st, s, 1, len - 1, base);
        s[0] = s[len - 2];
        s[1] = s[len - 1];
        base += len - 2;
    }
    st.f |= sign_flags(s[1]); /* the last value (never a crest: it has no right neighbour) */
    flags[st.m] = st.f;
    tail[0] = s[0];
    tail[1] = s[1];
    return st.m;
}

/*
 * Two biquads in cascade (the BS.1770-4 K-weighting: shelf, then high-pass),
 * transposed direct form II, over interleaved frames.
 *
 * x: frames x channels, row-major (interleaved), float64. y: channels x frames,
 * row-major (one channel after the other: what numpy reduces fastest along
 * time). sos: the two sections [b0 b1 b2 1 a1 a2]. z: the state, channels x 4
 * (two per section), read and updated. Channels are filtered two at a time:
 * four independent recurrences per frame keep the multipliers busy.
 */
static void kweight_pair(const double *x, double *ya, double *yb, int64_t frames,
                         int64_t stride, const double *sos, double *za, double *zb) {
    const double b0 = sos[0], b1 = sos[1], b2 = sos[2], a1 = sos[4], a2 = sos[5];
    const double c0 = sos[6], c1 = sos[7], c2 = sos[8], d1 = sos[10], d2 = sos[11];
    double z0 = za[0], z1 = za[1], e0 = za[2], e1 = za[3];
    double w0 = zb[0], w1 = zb[1], g0 = zb[2], g1 = zb[3];
    for (int64_t i = 0; i < frames; ++i) {
        double u = x[i * stride], v = x[i * stride + 1];
        double p = b0 * u + z0, q = b0 * v + w0;
        z0 = b1 * u - a1 * p + z1;
        z1 = b2 * u - a2 * p;
        w0 = b1 * v - a1 * q + w1;
        w1 = b2 * v - a2 * q;
        double r = c0 * p + e0, s = c0 * q + g0;
        e0 = c1 * p - d1 * r + e1;
        e1 = c2 * p - d2 * r;
        g0 = c1 * q - d1 * s + g1;
        g1 = c2 * q - d2 * s;
        ya[i] = r;
        yb[i] = s;
    }
    za[0] = z0, za[1] = z1, za[2] = e0, za[3] = e1;
    zb[0] = w0, zb[1] = w1, zb[2] = g0, zb[3] = g1;
}

static void kweight_one(const double *x, double *y, int64_t frames, int64_t stride,
                        const double *sos, double *za) {
    const double b0 = sos[0], b1 = sos[1], b2 = sos[2], a1 = sos[4], a2 = sos[5];
    const double c0 = sos[6], c1 = sos[7], c2 = sos[8], d1 = sos[10], d2 = sos[11];
    double z0 = za[0], z1 = za[1], e0 = za[2], e1 = za[3];
    for (int64_t i = 0; i < frames; ++i) {
        double u = x[i * stride];
        double p = b0 * u + z0;
        z0 = b1 * u - a1 * p + z1;
        z1 = b2 * u - a2 * p;
        double r = c0 * p + e0;
        e0 = c1 * p - d1 * r + e1;
        e1 = c2 * p - d2 * r;
        y[i] = r;
    }
    za[0] = z0, za[1] = z1, za[2] = e0, za[3] = e1;
}

void mixdesk_biquad2(const double *x, double *y, int64_t frames, int64_t channels,
                     const double *sos, double *z) {
    int64_t c = 0;
    for (; c + 1 < channels; c += 2)
        kweight_pair(x + c, y + c * frames, y + (c + 1) * frames, frames, channels, sos, z + 4 * c,
                     z + 4 * (c + 1));
    if (c < channels) kweight_one(x + c, y + c * frames, frames, channels, sos, z + 4 * c);
}

/*
 * One block of K-weighted samples for the loudness meter (qc.measure.loudness):
 * per channel, the sums of y^2 over the pieces [cuts[k], cuts[k+1]) (the last
 * to frames) into pieces[k * channels + c]; and the running sums of the
 * channel-weighted power, csum[i] = (sum over t <= i of sum_c w[c] y[c][t]^2)
 * + last, in that order (as numpy's cumsum, then the addition).
 *
 * y: channels x frames, row-major (channel after channel), float64.
 */
void mixdesk_loudness_pieces(const double *y, int64_t frames, int64_t channels, const double *w,
                             const int64_t *cuts, int64_t npieces, double *pieces, double *csum,
                             double last) {
    for (int64_t k = 0; k < npieces * channels; ++k) pieces[k] = 0.0;
    double run = 0.0;
    for (int64_t k = 0; k < npieces; ++k) {
        int64_t lo = cuts[k], hi = k + 1 < npieces ? cuts[k + 1] : frames;
        if (channels == 2) {
            const double *a = y, *b = y + frames;
            const double wa = w[0], wb = w[1];
            double sa = 0.0, sb = 0.0;
            for (int64_t t = lo; t < hi; ++t) {
                double qa = a[t] * a[t], qb = b[t] * b[t];
                sa += qa;
                sb += qb;
                run += wa * qa + wb * qb;
                csum[t] = run;
            }
            pieces[2 * k] = sa;
            pieces[2 * k + 1] = sb;
        } else {
            for (int64_t t = lo; t < hi; ++t) {
                double p = 0.0;
                for (int64_t c = 0; c < channels; ++c) {
                    double q = y[c * frames + t] * y[c * frames + t];
                    pieces[k * channels + c] += q;
                    p += w[c] * q;
                }
                run += p;
                csum[t] = run;
            }
        }
    }
    for (int64_t t = 0; t < frames; ++t) csum[t] += last;
}

/*
 * Window sums s[i] = full[a + i] - full[b + i], i < count (running sums C at a
 * window's end and start): the maximum over each segment [cuts[k], cuts[k+1])
 * (the last to count) into seg_max[k], and the first index of the largest
 * (as numpy's argmax), returned with its value in *best.
 */
int64_t mixdesk_window_maxima(const double *full, int64_t a, int64_t b, int64_t count,
                              const int64_t *cuts, int64_t ncuts, double *seg_max, double *best) {
    int64_t at = 0;
    double top = -INFINITY;
    for (int64_t k = 0; k < ncuts; ++k) {
        int64_t lo = cuts[k], hi = k + 1 < ncuts ? cuts[k + 1] : count;
        double m = -INFINITY;
        for (int64_t i = lo; i < hi; ++i) {
            double s = full[a + i] - full[b + i];
            if (s > m) m = s;
            if (s > top) {
                top = s;
                at = i;
            }
        }
        seg_max[k] = m;
    }
    *best = top;
    return at;
}

/*
 * The codec frame-grid search (qc.measure.mdct): each frame of 2N samples
 * windowed and folded into the N/2 complex inputs of a DCT-IV by FFT, with
 * its pre-twiddle, in one gather:
 *   t[s, m] = ((w[0][m] x[st + p[0][m]] + w[1][m] x[st + p[1][m]])
 *             + i (w[2][m] x[st + p[2][m]] + w[3][m] x[st + p[3][m]])) * pre[m]
 * for each frame start st = starts[s] (numpy's order of operations, so the
 * values are numpy's). x: samples; p, w: 4 x q; pre, t: complex as re, im pairs.
 */
void mixdesk_mdct_fold(const double *x, const int64_t *starts, int64_t nstarts,
                       const int64_t *p, const double *w, const double *pre, int64_t q,
                       double *t) {
    for (int64_t s = 0; s < nstarts; ++s) {
        const double *xs = x + starts[s];
        double *ts = t + 2 * s * q;
        for (int64_t m = 0; m < q; ++m) {
            double re = xs[p[m]] * w[m] + xs[p[q + m]] * w[q + m];
            double im = xs[p[2 * q + m]] * w[2 * q + m] + xs[p[3 * q + m]] * w[3 * q + m];
            double pr = pre[2 * m], pi = pre[2 * m + 1];
            ts[2 * m] = re * pr - im * pi;
            ts[2 * m + 1] = re * pi + im * pr;
        }
    }
}

/*
 * After the FFT: y[s, m] * post[m] (complex), and per group of `frames`
 * consecutive rows, how many of the real parts where even[m] and of the
 * imaginary parts where odd[m] are below threshold in magnitude.
 */
void mixdesk_mdct_small(const double *y, int64_t groups, int64_t frames, int64_t q,
                        const double *post, const uint8_t *even, const uint8_t *odd,
                        double threshold, int64_t *counts) {
    for (int64_t g = 0; g < groups; ++g) {
        int64_t small = 0;
        for (int64_t f = 0; f < frames; ++f) {
            const double *ys = y + 2 * (g * frames + f) * q;
            for (int64_t m = 0; m < q; ++m) {
                double a = ys[2 * m], b = ys[2 * m + 1];
                double c = post[2 * m], d = post[2 * m + 1];
                if (even[m]) small += fabs(a * c - b * d) < threshold;
                if (odd[m]) small += fabs(a * d + b * c) < threshold;
            }
        }
        counts[g] = small;
    }
}
