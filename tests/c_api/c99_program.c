/* A user's C99 program against the installed header and shared library:
 * encodes a second of a stereo chirp with turbo, decodes it, checks the SNR. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <tqcodec/tqcodec.h>

#define RATE 44100
#define CHANNELS 2

static int fail(const char *what, int rc) {
    fprintf(stderr, "%s: %s (%s)\n", what, tq_strerror(rc), tq_last_error_message());
    return 1;
}

int main(void) {
    tq_encoder_config config;
    tq_encoder *enc = NULL;
    tq_decoder *dec = NULL;
    const uint8_t *header;
    size_t header_size, packet_size, capacity;
    uint8_t *packet;
    float *in, *out;
    double signal = 0, noise = 0, snr_db;
    int frame, done, got, rc, i;

    tq_encoder_config_init(&config, TQ_FAMILY_TURBO);
    config.sample_rate = RATE;
    config.channels = CHANNELS;
    config.options = "bits=6";
    if ((rc = tq_encoder_create(&config, &enc)) != TQ_OK) return fail("tq_encoder_create", rc);
    if ((rc = tq_encoder_stream_header(enc, &header, &header_size)) != TQ_OK)
        return fail("tq_encoder_stream_header", rc);
    if ((rc = tq_decoder_create(header, header_size, &dec)) != TQ_OK) return fail("tq_decoder_create", rc);

    frame = tq_encoder_frame_size(enc);
    capacity = tq_encoder_max_packet_size(enc);
    packet = malloc(capacity);
    in = malloc(sizeof(float) * (size_t)frame * CHANNELS);
    out = malloc(sizeof(float) * (size_t)frame * CHANNELS);
    if (!packet || !in || !out) return 1;

    for (done = 0; done < RATE; done += frame) {
        int n = RATE - done < frame ? RATE - done : frame;
        for (i = 0; i < n; ++i) {
            double t = (double)(done + i) / RATE;
            in[2 * i] = (float)(0.5 * sin(2 * 3.14159265 * (200 + 2000 * t) * t));
            in[2 * i + 1] = (float)(0.3 * sin(2 * 3.14159265 * 440 * t));
        }
        if ((rc = tq_encode(enc, in, n, packet, capacity, &packet_size)) != TQ_OK) return fail("tq_encode", rc);
        if ((rc = tq_decode(dec, packet, packet_size, out, frame, &got)) != TQ_OK) return fail("tq_decode", rc);
        if (got != n) {
            fprintf(stderr, "decoded %d samples, expected %d\n", got, n);
            return 1;
        }
        for (i = 0; i < n * CHANNELS; ++i) {
            signal += (double)in[i] * in[i];
            noise += (double)(in[i] - out[i]) * (in[i] - out[i]);
        }
    }
    snr_db = 10 * log10(signal / noise);
    printf("libtqcodec %s: turbo bits=6 round trip from C99, SNR %.2f dB\n", tq_version_string(), snr_db);

    free(packet);
    free(in);
    free(out);
    tq_encoder_destroy(enc);
    tq_decoder_destroy(dec);
    return snr_db > 25 ? 0 : 1;
}
