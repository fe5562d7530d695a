/* The C + FFTW floor for `soundprofile analyze` (channel 0): the same maths in a plain loop.
 *
 *   cc -O2 -o analyze_c analyze_c.c $(pkg-config --cflags --libs fftw3f sndfile) -lm
 *   analyze_c FILE FFT_SIZE HOP FULL_SCALE_DB_SPL LOWER1 UPPER1 [LOWER2 UPPER2 ...]
 *
 * The bands are given as edges in Hz (compare_c.sh passes the bands `soundprofile analyze`
 * reports, so both analyse exactly the same bands). Per frame of FFT_SIZE samples advancing by
 * HOP: periodic Hann window, FFTW r2c (FFTW_ESTIMATE, as the Swift analyzer plans), bin power
 * c_k·|X_k|² (c_k = 1 at DC and Nyquist, 2 elsewhere), band power = Σ a_k·P_k over the bins
 * the band overlaps (a_k = the fraction of the bin's interval [(k−½)Δf, (k+½)Δf) inside the
 * band), normalised by N·Σw²; per band: the power summed in double for Leq, the level
 * 10·log10(power) in a 0.1 dB histogram over −100…200 dB SPL, min and max. Prints one line per
 * band: lower upper leq l10 l50 l90 min max (dB SPL), then frames and seconds of the loop.
 */
#include <fftw3.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HIST_LO (-100.0f)
#define HIST_BINS 3000

int main(int argc, char **argv) {
    if (argc < 7 || (argc - 5) % 2) {
        fprintf(stderr, "usage: %s FILE FFT_SIZE HOP FULL_SCALE_DB_SPL LOWER UPPER [LOWER UPPER ...]\n", argv[0]);
        return 2;
    }
    const int n = atoi(argv[2]), hop = atoi(argv[3]);
    const float cal = (float)atof(argv[4]);
    const int nb = (argc - 5) / 2, bins = n / 2 + 1;
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(argv[1], SFM_READ, &info);
    if (!sf) { fprintf(stderr, "%s: %s\n", argv[1], sf_strerror(NULL)); return 1; }
    const double fs = info.samplerate, df = fs / n;

    /* Band-major edge weights: band b covers bins first[b]..last[b], weights wt[b][k - first[b]]. */
    int *first = calloc(nb, sizeof *first), *last = calloc(nb, sizeof *last);
    float **wt = calloc(nb, sizeof *wt);
    for (int b = 0; b < nb; b++) {
        double lo = atof(argv[5 + 2 * b]), hi = atof(argv[6 + 2 * b]);
        first[b] = -1;
        wt[b] = calloc(bins, sizeof(float));
        for (int k = 0; k < bins; k++) {
            double a = fmax(0, (k - 0.5) * df), e = fmin(fs / 2, (k + 0.5) * df);
            double ov = fmin(e, hi) - fmax(a, lo);
            if (e <= a || ov <= 0) continue;
            if (first[b] < 0) first[b] = k;
            last[b] = k;
            wt[b][k - first[b]] = (float)(ov / (e - a));
        }
        if (first[b] < 0) { first[b] = 0; last[b] = -1; }
    }

    float *window = fftwf_alloc_real(n), *in = fftwf_alloc_real(n), *frame = malloc(n * sizeof(float));
    fftwf_complex *out = fftwf_alloc_complex(bins);
    fftwf_plan plan = fftwf_plan_dft_r2c_1d(n, in, out, FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
    double sumsq = 0;
    for (int i = 0; i < n; i++) {
        window[i] = (float)(0.5 - 0.5 * cos(2 * M_PI * i / n));
        sumsq += (double)window[i] * window[i];
    }
    const float norm = (float)(1 / (n * sumsq));
    float *power = malloc(bins * sizeof(float));
    double *psum = calloc(nb, sizeof(double));
    float *mn = malloc(nb * sizeof(float)), *mx = malloc(nb * sizeof(float));
    unsigned *hist = calloc((size_t)nb * HIST_BINS, sizeof(unsigned));
    for (int b = 0; b < nb; b++) { mn[b] = INFINITY; mx[b] = -INFINITY; }

    const int chunk = 65536, ch = info.channels;
    float *buf = malloc((size_t)chunk * ch * sizeof(float));
    long frames = 0;
    int filled = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sf_count_t got;
    while ((got = sf_readf_float(sf, buf, chunk)) > 0) {
        for (sf_count_t i = 0; i < got;) {
            int take = (int)((got - i) < (n - filled) ? (got - i) : (n - filled));
            for (int j = 0; j < take; j++) frame[filled + j] = buf[(i + j) * ch];
            filled += take;
            i += take;
            if (filled < n) break;
            for (int j = 0; j < n; j++) in[j] = frame[j] * window[j];
            fftwf_execute(plan);
            for (int k = 0; k < bins; k++) power[k] = 2 * (out[k][0] * out[k][0] + out[k][1] * out[k][1]);
            power[0] *= 0.5f;
            power[bins - 1] *= 0.5f;
            for (int b = 0; b < nb; b++) {
                float p = 0;
                const float *w = wt[b];
                for (int k = first[b]; k <= last[b]; k++) p += w[k - first[b]] * power[k];
                p *= norm;
                if (p < 1e-20f) p = 1e-20f;
                psum[b] += p;
                float l = 10 * log10f(p) + cal;
                if (l < mn[b]) mn[b] = l;
                if (l > mx[b]) mx[b] = l;
                float x = (l - HIST_LO) * 10;
                int h = x < 0 ? 0 : x > HIST_BINS - 1 ? HIST_BINS - 1 : (int)x;
                hist[b * HIST_BINS + h]++;
            }
            frames++;
            memmove(frame, frame + hop, (n - hop) * sizeof(float));
            filled = n - hop;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const double fr[3] = {0.10, 0.50, 0.90};
    for (int b = 0; b < nb; b++) {
        double lv[3];
        for (int q = 0; q < 3; q++) {
            long target = (long)ceil(fr[q] * frames), seen = 0;
            if (target < 1) target = 1;
            lv[q] = mn[b];
            for (int h = HIST_BINS - 1; h >= 0; h--) {
                seen += hist[b * HIST_BINS + h];
                if (seen >= target) { lv[q] = fmin(mx[b], fmax(mn[b], HIST_LO + (h + 0.5) * 0.1)); break; }
            }
        }
        printf("%s %s %.3f %.3f %.3f %.3f %.3f %.3f\n", argv[5 + 2 * b], argv[6 + 2 * b],
               10 * log10(psum[b] / frames) + cal, lv[0], lv[1], lv[2], mn[b], mx[b]);
    }
    double secs = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    printf("frames %ld seconds %.6f frames_per_second %.0f\n", frames, secs, frames / secs);
    sf_close(sf);
    return 0;
}
